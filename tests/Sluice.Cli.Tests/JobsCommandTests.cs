using System.Text.RegularExpressions;
using Sluice.Server;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice jobs</c> against a real server started in this process on a free loopback port.</summary>
public sealed partial class JobsCommandTests : IAsyncLifetime
{
    private const string Sql = """
        CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '20');
        CREATE TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');
        INSERT INTO sink SELECT id FROM gen;
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-cli-jobs-").FullName;
    private SluiceServer _server = null!;

    private static readonly Dictionary<string, string?> s_noToken = new() { ["SLUICE_TOKEN"] = null };

    public async Task InitializeAsync() =>
        _server = await SluiceServer.StartAsync(new SluiceServerOptions { DataDirectory = Path.Combine(_directory, "data"), Port = 0 });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private string Url => _server.Address.ToString();

    private CliProcess.Result Jobs(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        CliProcess.Run(TimeSpan.FromSeconds(120), null, environment, ["jobs", .. args, "--server", Url]);

    [GeneratedRegex("submitted: ([0-9a-f]{32}) ")]
    private static partial Regex SubmittedId();

    [Fact]
    public void SubmitListShowSavepointStop_RunningServer_EachPrintsWhatHappened()
    {
        var script = Path.Combine(_directory, "job.sql");
        File.WriteAllText(script, Sql);
        var withToken = new Dictionary<string, string?> { ["SLUICE_TOKEN"] = _server.Token };

        var submitted = Jobs(withToken, "submit", "-f", script, "--name", "gen-to-sink", "--checkpoint-interval", "100");
        submitted.ExitCode.ShouldBe(0, submitted.Stderr);
        var id = SubmittedId().Match(submitted.Stdout).Groups[1].Value;
        submitted.Stdout.ShouldBe($"Job 'gen-to-sink' submitted: {id} (Running).\n");

        var list = Jobs(s_noToken, "list");
        list.ExitCode.ShouldBe(0, list.Stderr);
        list.Stdout.ShouldContain(id);
        list.Stdout.ShouldContain("gen-to-sink");

        var show = Jobs(s_noToken, "show", id);
        show.ExitCode.ShouldBe(0, show.Stderr);
        show.Stdout.ShouldStartWith($"Job 'gen-to-sink' ({id}): Running, sql, started ");
        show.Stdout.ShouldContain("records out");

        var savepoint = Jobs(withToken, "savepoint", id);
        savepoint.ExitCode.ShouldBe(0, savepoint.Stderr);
        savepoint.Stdout.ShouldStartWith($"Savepoint {id}-");

        var stopped = Jobs(new Dictionary<string, string?>(), "stop", id, "--savepoint", "--token", _server.Token);
        stopped.ExitCode.ShouldBe(0, stopped.Stderr);
        stopped.Stdout.ShouldStartWith($"Job {id} stopped (Suspended); savepoint {id}-");
    }

    [Fact]
    public void Submit_WithoutToken_SaysTheTokenIsNeeded()
    {
        var script = Path.Combine(_directory, "job.sql");
        File.WriteAllText(script, Sql);

        var result = Jobs(s_noToken, "submit", "-f", script);

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldBe($"error: The Sluice server at {Url} needs its API token for POST /api/jobs: pass --token or set SLUICE_TOKEN (the token is in server.token in the server's data directory).\n");
    }

    [Fact]
    public void Show_UnknownJob_PrintsTheServersSentence()
    {
        var result = Jobs(s_noToken, "show", "nosuchjob");

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldBe("error: No job has id 'nosuchjob': list the jobs with GET /api/jobs.\n");
    }

    [Fact]
    public void Submit_UnknownRegisteredJob_PrintsTheServersSentence()
    {
        var result = Jobs(new Dictionary<string, string?> { ["SLUICE_TOKEN"] = _server.Token }, "submit", "--job", "nope", "--arg", "a=1");

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldBe("error: No job named 'nope' is registered with this server (it has no registered jobs): submit SQL, or register the job in SluiceServerOptions.Jobs.\n");
    }

    [Fact]
    public void List_ServerUnreachable_OneSentenceNoStackTrace()
    {
        var result = CliProcess.Run(TimeSpan.FromSeconds(120), null, s_noToken, "jobs", "list", "--server", "http://127.0.0.1:9");

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldStartWith("error: The Sluice server at http://127.0.0.1:9/ is unreachable (");
        result.Stderr.ShouldEndWith("): start it with 'sluice server' or pass --server URL.\n");
        result.Stderr.ShouldNotContain("   at ");
    }

    [Fact]
    public void Submit_BothFileAndJob_IsAUsageError()
    {
        var result = Jobs(s_noToken, "submit", "-f", "x.sql", "--job", "y");

        result.ExitCode.ShouldBe(Program.UsageErrorExitCode);
        result.Stderr.ShouldContain("Give exactly one of -f/--file (a SQL script) and --job (a registered job).");
    }
}
