using System.Text.Json;

namespace Sluice.Bench.Cli.Tests;

/// <summary><c>sluice bench state</c>: the keyed count over many keys checks its own result and reports memory and disk.</summary>
public sealed class StateBenchCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-state-bench-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("rocksdb")]
    [InlineData("heap")]
    public void BenchState_SmallRun_CountsEveryKeyOncePerPass(string backend)
    {
        const long keys = 20_000;
        const int passes = 3;

        var result = CliProcess.Run(null, "bench", "state", "--keys", "20000", "--passes", "3", "--state-backend", backend, "--parallelism", "2", "--dir", _dir, "--json");

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        root.GetProperty("state_backend").GetString().ShouldBe(backend);
        root.GetProperty("records").GetInt64().ShouldBe(keys * passes);
        root.GetProperty("keys_counted").GetInt64().ShouldBe(keys);
        root.GetProperty("total").GetInt64().ShouldBe(keys * passes);
        root.GetProperty("correct").GetBoolean().ShouldBeTrue();
        root.GetProperty("peak_managed_bytes").GetInt64().ShouldBeGreaterThan(0);
        if (backend == "rocksdb")
        {
            root.GetProperty("state_bytes_at_end").GetInt64().ShouldBeGreaterThan(0, "the databases' files exist until the job ends");
            Directory.Exists(Path.Combine(_dir, "rocksdb", "state-bench")).ShouldBeFalse("the databases are deleted when the job ends");
        }
        else
        {
            root.GetProperty("state_bytes_at_end").GetInt64().ShouldBe(0);
        }
    }
}
