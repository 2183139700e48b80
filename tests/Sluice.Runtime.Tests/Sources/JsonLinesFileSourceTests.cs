using Sluice.Sources;

namespace Sluice.Runtime.Tests.Sources;

/// <summary>
/// Where a restored <see cref="JsonLinesFileSource{T}"/> resumes: after the lines its checkpoint counted, also when the
/// data directory moved since (the split is named by the file's name), and from the first line for a file of another
/// name. Checkpoints written before December 2026 named the split by the full path; they resume the same way.
/// </summary>
public sealed class JsonLinesFileSourceTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sluice-jsonl-source-" + Guid.NewGuid().ToString("N"));

    public JsonLinesFileSourceTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public sealed record Line(int N);

    private string WriteInput(string directory, string name, int lines)
    {
        var path = Path.Combine(_root, directory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, Enumerable.Range(1, lines).Select(i => $"{{\"n\":{i}}}"));
        return path;
    }

    /// <summary>Reads <paramref name="path"/> to the end from the given restored splits; returns the values read and the last checkpointed split.</summary>
    private static (List<int> Values, KeyValuePair<string, byte[]> Split) Read(string path, IReadOnlyDictionary<string, byte[]> restored, int stopAfter = int.MaxValue)
    {
        var context = new SourceReaderContext(0, 1, TimeProvider.System, static () => { }, BatchSize: 1) { RestoredSplits = restored };
        using var reader = new JsonLinesFileSource<Line>(path).CreateReader(context);
        var output = new Output();
        var status = SourceStatus.MoreAvailable;
        while (output.Values.Count < stopAfter && status != SourceStatus.Finished)
        {
            status = reader.PollNext(output);
        }
        var checkpointed = (ICheckpointedSourceReader)reader;
        return (output.Values, new(checkpointed.SplitId(0), checkpointed.SnapshotSplit(0)));
    }

    [Fact]
    public void Restore_AfterTheDataDirectoryMoved_ResumesAfterTheCheckpointedLines()
    {
        var first = WriteInput("before", "events.jsonl", 10);
        var (read, split) = Read(first, new Dictionary<string, byte[]>(), stopAfter: 4);
        read.ShouldBe([1, 2, 3, 4]);
        split.Key.ShouldBe("file:events.jsonl");

        Directory.Move(Path.Combine(_root, "before"), Path.Combine(_root, "after"));
        var (rest, _) = Read(Path.Combine(_root, "after", "events.jsonl"), new Dictionary<string, byte[]> { [split.Key] = split.Value });

        rest.ShouldBe([5, 6, 7, 8, 9, 10]);
    }

    [Fact]
    public void Restore_OfAFileWithAnotherName_StartsAtTheFirstLine()
    {
        var first = WriteInput("data", "monday.jsonl", 6);
        var (_, split) = Read(first, new Dictionary<string, byte[]>(), stopAfter: 3);
        var tuesday = WriteInput("data", "tuesday.jsonl", 6);

        var (read, _) = Read(tuesday, new Dictionary<string, byte[]> { [split.Key] = split.Value });

        read.ShouldBe([1, 2, 3, 4, 5, 6]);
    }

    [Fact]
    public void Restore_OfAPreDecemberSplitNamedByFullPath_ResumesAfterItsLines_EvenIfTheDirectoryMoved()
    {
        var path = WriteInput("moved", "events.jsonl", 5);
        var v1 = new Dictionary<string, byte[]> { ["file:/somewhere/else/events.jsonl"] = SplitPositions.FromInt64(2) };

        var (read, split) = Read(path, v1);

        read.ShouldBe([3, 4, 5]);
        split.Key.ShouldBe("file:events.jsonl");
        SplitPositions.TryGetInt64(new Dictionary<string, byte[]> { [split.Key] = split.Value }, split.Key, out var lines).ShouldBeTrue();
        lines.ShouldBe(5);
    }

    private sealed class Output : ISourceOutput<Line>
    {
        public List<int> Values { get; } = [];

        public void Collect(int split, Line value, long timestamp = EventTime.NoTimestamp) => Values.Add(value.N);

        public void CollectBatch(int split, ReadOnlySpan<Line> values, ReadOnlySpan<long> timestamps)
        {
            foreach (var value in values)
            {
                Values.Add(value.N);
            }
        }

        public void EmitWatermark(int split, long watermark) { }

        public void MarkSplitFinished(int split) { }

        public void MarkSplitIdle(int split, bool idle) { }

        public void ReportDeadLetter(DeadLetter letter) => throw new InvalidOperationException($"Unexpected dead letter: {letter}");
    }
}
