using System.Text;
using Shouldly;
using Sluice.Log;
using Sluice.Server.Ingest;
using Xunit;

namespace Sluice.Server.Tests.Ingest;

/// <summary>
/// The group commit of <see cref="PartitionAppender"/> over a real log: parts waiting together share one append (one
/// fsync), each completes with the offsets its records got, and every acknowledged record is in what the log leaves
/// on disk when its process dies without closing it.
/// </summary>
public sealed class PartitionAppenderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sluice-appender-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Enqueue_PartsWaitingWhileAGroupIsBuilt_ShareOneAppend()
    {
        using var log = PartitionedLog.Open(Path.Combine(_root, "log"), new LogOptions { MaintenanceInterval = null });
        var partition = log.CreateTopic("t").GetPartition(0);
        await using var appender = new PartitionAppender(partition, TimeProvider.System);
        // The first part holds the appender inside its group until the others are queued, so they all join that group.
        using var othersQueued = new ManualResetEventSlim();
        var first = new ValuePart("v0", othersQueued);
        appender.Enqueue(first);
        var parts = new List<ValuePart> { first };
        for (var i = 1; i < 50; i++)
        {
            var part = new ValuePart($"v{i}");
            parts.Add(part);
            appender.Enqueue(part);
        }
        othersQueued.Set();

        var ranges = await Task.WhenAll(parts.Select(p => p.Appended));

        appender.GroupsAppended.ShouldBe(1);
        for (var i = 0; i < ranges.Length; i++)
        {
            ranges[i].ShouldBe(new PartitionRange(0, i, i), $"part {i}");
        }
        IngestTestSupport.Read(log, "t").Select(r => IngestTestSupport.Utf8(r.Value)).ShouldBe(parts.Select(p => p.Value));
    }

    [Fact]
    public async Task Enqueue_ManyConcurrentRequests_FewerAppendsAndEveryAckedRecordSurvivesAnAbandonedLog()
    {
        var directory = Path.Combine(_root, "log");
        var log = PartitionedLog.Open(directory, new LogOptions { MaintenanceInterval = null });
        var partition = log.CreateTopic("t").GetPartition(0);
        var appender = new PartitionAppender(partition, TimeProvider.System);
        const int Writers = 16, PerWriter = 40;
        var acked = new List<(string Value, PartitionRange Range)>[Writers];
        using var start = new Barrier(Writers);
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            acked[w] = [];
            start.SignalAndWait();
            for (var i = 0; i < PerWriter; i++)
            {
                // Like a client: the next request once the last one was acknowledged.
                var part = new ValuePart($"w{w}-{i}");
                appender.Enqueue(part);
                acked[w].Add((part.Value, await part.Appended));
            }
        })).ToArray();
        await Task.WhenAll(writers);

        appender.GroupsAppended.ShouldBeLessThan(Writers * PerWriter, "concurrent requests share appends");
        // What a kill -9 leaves: the files as they are now, the log neither closed nor flushed again.
        var copy = Path.Combine(_root, "copy");
        CopyFiles(directory, copy);
        await appender.DisposeAsync();
        log.Dispose();
        using var reopened = PartitionedLog.Open(copy, new LogOptions { MaintenanceInterval = null });
        var byOffset = IngestTestSupport.Read(reopened, "t").ToDictionary(r => r.Offset, r => IngestTestSupport.Utf8(r.Value));
        byOffset.Count.ShouldBe(Writers * PerWriter);
        foreach (var (value, range) in acked.SelectMany(a => a))
        {
            range.First.ShouldBe(range.Last);
            byOffset.GetValueOrDefault(range.First).ShouldBe(value, $"acked record at offset {range.First}");
        }
    }

    [Fact]
    public async Task Enqueue_AppendFails_EveryPartOfTheGroupFaults()
    {
        var log = PartitionedLog.Open(Path.Combine(_root, "log"), new LogOptions { MaintenanceInterval = null });
        var partition = log.CreateTopic("t").GetPartition(0);
        await using var appender = new PartitionAppender(partition, TimeProvider.System);
        log.Dispose();
        var parts = new[] { new ValuePart("a"), new ValuePart("b") };
        foreach (var part in parts)
        {
            appender.Enqueue(part);
        }

        foreach (var part in parts)
        {
            await Should.ThrowAsync<ObjectDisposedException>(() => part.Appended);
        }
    }

    private static void CopyFiles(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            if (name is ".lock" or ".lock.owner")
            {
                continue;
            }
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>One record whose value is <see cref="Value"/>; optionally waits for <paramref name="release"/> while
    /// the appender adds it (to hold a group open).</summary>
    private sealed class ValuePart(string value, ManualResetEventSlim? release = null) : AppendPart
    {
        public string Value => value;

        public override int RecordCount => 1;

        public override int EncodedBytes => IngestPart.RecordOverhead + Encoding.UTF8.GetByteCount(value);

        public override void AddTo(RecordBatchBuilder builder)
        {
            release?.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue("the other parts were queued");
            builder.AddWithoutKey(Encoding.UTF8.GetBytes(value));
        }
    }
}
