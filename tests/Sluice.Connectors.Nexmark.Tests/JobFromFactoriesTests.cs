using Sluice.Checkpoints;
using Sluice.Connectors.Nexmark;
using Sluice.Connectors.Print;
using Sluice.Schemas;

namespace Sluice.Connectors.Nexmark.Tests;

/// <summary>A job made only of connector factories and option dictionaries, as the SQL layer will build one.</summary>
public sealed class JobFromFactoriesTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-factories-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task NexmarkFilterPrint_WithCheckpoints_CompletesACheckpoint()
    {
        var printed = new StringWriter();
        var registry = new ConnectorRegistry()
            .AddAssembly(typeof(NexmarkConnectorFactory).Assembly)
            .Register(new PrintConnectorFactory(printed));
        var source = registry.CreateSource("events", null, new Dictionary<string, string>
        {
            ["connector"] = "nexmark",
            ["rate.limited"] = "true",
            ["first-event.rate"] = "2000",
            ["next-event.rate"] = "2000",
        });
        var sink = registry.CreateSink("persons", NexmarkSchema.Table, new Dictionary<string, string>
        {
            ["connector"] = "print",
            ["print-identifier"] = "persons",
        });
        var env = StreamEnvironment.Create(new JobOptions
        {
            Parallelism = 2,
            Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromMilliseconds(50)),
        });
        env.FromSource(source, name: "nexmark").Filter(static row => row.GetInt32(0) == 0, "persons only").SinkTo(sink, "print");

        var client = env.Start();
        var completed = new SemaphoreSlim(0);
        client.CheckpointCompleted += _ => completed.Release();
        (await completed.WaitAsync(s_timeout)).ShouldBeTrue("a checkpoint should complete");
        await client.StopAsync().WaitAsync(s_timeout);

        client.LastCheckpointId.ShouldBeGreaterThanOrEqualTo(1);
        (await new LocalCheckpointStore(_dir).ListCompletedAsync(CancellationToken.None)).ShouldNotBeEmpty();
        var lines = printed.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.ShouldNotBeEmpty();
        lines.ShouldAllBe(l => l.StartsWith("persons:1> +I[0, +I[", StringComparison.Ordinal) || l.StartsWith("persons:2> +I[0, +I[", StringComparison.Ordinal));
    }
}
