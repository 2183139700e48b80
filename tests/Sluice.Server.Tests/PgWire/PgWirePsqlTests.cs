using System.Diagnostics;
using Shouldly;

namespace Sluice.Server.Tests.PgWire;

/// <summary>The endpoint as psql (Debian's postgresql-client, run as a child process) sees it: connect, \d, SELECT.</summary>
public sealed class PgWirePsqlTests(PgWireServer server) : IClassFixture<PgWireServer>
{
    [Fact]
    public void Select_PrintsValuesAsPostgreSqlDoes()
    {
        var result = Psql("-A", "-t", "-c", "SELECT ts, amount, ok, id, payload, d, tz, bin, f8 FROM events WHERE user_id = 1 ORDER BY ts LIMIT 1");

        result.Stdout.Trim().ShouldBe(customMessage: result.Stderr, expected: "2026-12-01 10:00:30|12.50|t|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|{\"k\": 1}|2026-12-01|2026-12-01 10:00:30.123456+00|\\x01ff|2.25");
    }

    [Fact]
    public void DescribeCommands_ListTablesAndColumns()
    {
        var relations = Psql("-c", "\\d");
        relations.Stdout.ShouldContain("events");
        relations.Stdout.ShouldContain("clicks");

        var tables = Psql("-c", "\\dt");
        tables.Stdout.ShouldContain("events");

        var columns = Psql("-c", "\\d events");
        columns.Stdout.ShouldContain("amount");
        columns.Stdout.ShouldContain("user_id");
        columns.Stdout.ShouldContain("ts");
    }

    [Fact]
    public void WrongPassword_FailsTheLogin()
    {
        var result = PsqlWithPassword("nope", "-c", "SELECT 1");

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("password authentication failed for user \"alice\"");
    }

    [Fact]
    public void BadSql_PrintsTheError()
    {
        var result = Psql("-v", "VERBOSITY=verbose", "-c", "SELECT * FROM nowhere");

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("42P01");
    }

    private (int ExitCode, string Stdout, string Stderr) Psql(params string[] args) => PsqlWithPassword(PgWireServer.Password, args);

    private (int ExitCode, string Stdout, string Stderr) PsqlWithPassword(string password, params string[] args)
    {
        var info = new ProcessStartInfo("psql")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-X", "-h", "127.0.0.1", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", PgWireServer.User, "-d", "sluice" }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["PGPASSWORD"] = password;
        info.Environment["PGCONNECT_TIMEOUT"] = "10";
        info.Environment["PGSSLMODE"] = "prefer";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"psql {string.Join(' ', args)} did not finish in 30 s.");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
