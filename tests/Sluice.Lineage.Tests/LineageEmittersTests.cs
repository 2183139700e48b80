using Sluice.Lineage;

namespace Sluice.Lineage.Tests;

public sealed class LineageEmittersTests
{
    private static Func<string, string?> Env(params (string Key, string Value)[] values) =>
        key => values.FirstOrDefault(v => v.Key == key).Value;

    [Fact]
    public async Task Create_NothingConfigured_IsOff()
    {
        await using var emitter = LineageEmitters.Create(null, environment: Env());

        emitter.ShouldBeSameAs(NoLineageEmitter.Instance);
        LineageEmitters.Describe(emitter).ShouldBe("off");
    }

    [Fact]
    public async Task Create_FilePath_IsAFileEmitter()
    {
        await using var emitter = LineageEmitters.Create("out/lineage.jsonl", environment: Env(("OPENLINEAGE_URL", "http://127.0.0.1:1")));

        emitter.ShouldBeOfType<FileLineageEmitter>().Path.ShouldBe(Path.GetFullPath("out/lineage.jsonl"));
    }

    [Fact]
    public async Task Create_EnvironmentUrl_IsAnHttpEmitterWithTheEndpoint()
    {
        await using var emitter = LineageEmitters.Create(null, environment: Env(("OPENLINEAGE_URL", "http://127.0.0.1:5000"), ("OPENLINEAGE_API_KEY", "k-123"), ("OPENLINEAGE_ENDPOINT", "api/v2/events")));

        LineageEmitters.Describe(emitter).ShouldBe("http http://127.0.0.1:5000/api/v2/events");
    }

    [Fact]
    public async Task Create_Disabled_WinsOverEverything()
    {
        var logs = new CollectingLoggerFactory();
        await using var emitter = LineageEmitters.Create("x.jsonl", logs, environment: Env(("OPENLINEAGE_DISABLED", "true")));

        emitter.ShouldBeSameAs(NoLineageEmitter.Instance);
        logs.Entries.ShouldHaveSingleItem().Message.ShouldContain("OPENLINEAGE_DISABLED");
    }

    [Fact]
    public void FromEnvironment_NotAnHttpUrl_SaysHowToFixIt()
    {
        Should.Throw<ArgumentException>(() => LineageEmitters.FromEnvironment(environment: Env(("OPENLINEAGE_URL", "/tmp/x"))))
            .Message.ShouldContain("OPENLINEAGE_URL is not an http:// or https:// URL");
    }
}
