using Sluice.Lineage;

namespace Sluice.Lineage.Tests;

public sealed class FileLineageEmitterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-lineage-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static RunEvent Event(RunEventType type, string job, Guid? runId = null, string? padding = null) => new()
    {
        EventType = type,
        EventTime = DateTimeOffset.UtcNow,
        Run = new LineageRun { RunId = runId ?? LineageRun.NewRunId() },
        Job = LineageJobNames.Job("test", job, ProcessingType.Batch, LineageJobTypes.Job, padding),
    };

    [Fact]
    public void AppendLine_WriteFailsPartWay_CutsTheFileBack()
    {
        using var stream = new TornWriteStream();
        stream.Write("{\"first\":1}\n"u8);

        Should.Throw<IOException>(() => FileLineageEmitter.AppendLine(stream, "{\"second\":2}\n"u8));

        stream.ToArray().ShouldBe("{\"first\":1}\n"u8.ToArray());
    }

    /// <summary>A stream whose writes after the first store half their bytes and then fail, as a full disk does.</summary>
    private sealed class TornWriteStream : MemoryStream
    {
        private bool _wrote;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (!_wrote)
            {
                _wrote = true;
                base.Write(buffer);
                return;
            }
            base.Write(buffer[..(buffer.Length / 2)]);
            throw new IOException("No space left on device.");
        }
    }

    [Fact]
    public async Task Emit_ConcurrentEmittersOnOnePath_WriteWholeLinesOnly()
    {
        var path = Path.Combine(_directory, "nested", "lineage.jsonl");
        const int Emitters = 6, EventsEach = 150;
        var padding = new string('x', 20_000); // lines far above any single-write atomicity guarantee of the OS
        var emitters = Enumerable.Range(0, Emitters).Select(_ => new FileLineageEmitter(path)).ToArray();
        using var go = new ManualResetEventSlim();

        var writers = emitters.Select((emitter, e) => Task.Run(() =>
        {
            go.Wait();
            for (var i = 0; i < EventsEach; i++)
            {
                emitter.Emit(Event(RunEventType.Start, $"job-{e}-{i}", padding: padding));
            }
        })).ToArray();
        go.Set();
        await Task.WhenAll(writers);
        foreach (var emitter in emitters)
        {
            await emitter.DisposeAsync();
        }

        var lines = await File.ReadAllLinesAsync(path);
        lines.Length.ShouldBe(Emitters * EventsEach);
        var names = lines.Select(l => LineageJson.Deserialize(l).Job.Name).ToHashSet();
        names.Count.ShouldBe(Emitters * EventsEach);
        names.ShouldContain("job-5-149");
    }

    [Fact]
    public async Task Emit_UnwritablePath_DoesNotThrow()
    {
        var blocker = Path.Combine(_directory, "file");
        await File.WriteAllTextAsync(blocker, "");
        var emitter = new FileLineageEmitter(Path.Combine(blocker, "lineage.jsonl")); // a file where the folder should be
        var logs = new CollectingLoggerFactory();
        emitter = new FileLineageEmitter(emitter.Path, logs);

        Should.NotThrow(() => emitter.Emit(Event(RunEventType.Start, "j")));

        logs.Entries.ShouldContain(e => e.Category == LineageEmitters.LogCategory && e.Message.Contains("Could not append the Start lineage event of job j"));
    }
}
