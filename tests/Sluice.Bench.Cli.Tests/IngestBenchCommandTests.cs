using System.Text.Json;

namespace Sluice.Bench.Cli.Tests;

/// <summary><c>sluice bench ingest</c>: in-process, and with the server in a child process (<c>--server-process</c>),
/// which splits the CPU per request between server and load generator.</summary>
public sealed class IngestBenchCommandTests
{
    [Fact]
    public void BenchIngest_ServerProcess_ReportsServerAndClientCpuApart()
    {
        var result = CliProcess.Run(TimeSpan.FromSeconds(120), null, "bench", "ingest", "--mode", "single", "--clients", "2", "--duration", "2", "--warmup", "3", "--json", "--server-process");

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        root.GetProperty("failures").GetInt64().ShouldBe(0);
        root.GetProperty("requests").GetInt64().ShouldBeGreaterThan(0);
        var server = root.GetProperty("serverCpuMicrosPerRequest").GetDouble();
        var client = root.GetProperty("clientCpuMicrosPerRequest").GetDouble();
        server.ShouldBeGreaterThan(0, "the child server used CPU to answer");
        client.ShouldBeGreaterThan(0, "the load generator used CPU to send");
        root.GetProperty("cpuMicrosPerRequest").GetDouble().ShouldBe(server + client, 1e-6);
    }

    [Fact]
    public void BenchIngest_InProcess_HasNoServerCpuApart()
    {
        var result = CliProcess.Run(TimeSpan.FromSeconds(120), null, "bench", "ingest", "--mode", "single", "--clients", "2", "--duration", "2", "--warmup", "3", "--json");

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        root.GetProperty("requests").GetInt64().ShouldBeGreaterThan(0);
        root.GetProperty("serverCpuMicrosPerRequest").ValueKind.ShouldBe(JsonValueKind.Null);
        root.GetProperty("clientCpuMicrosPerRequest").ValueKind.ShouldBe(JsonValueKind.Null);
        root.GetProperty("cpuMicrosPerRequest").GetDouble().ShouldBeGreaterThan(0);
    }
}
