using Sluice.Connectors.Postgres.Cdc;
using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Connectors.Postgres.Tests;

/// <summary>
/// Drives one <see cref="PostgresCdcSource"/> reader directly, as the runtime would from its subtask thread, so a test
/// decides exactly when a checkpoint is taken and when it completes. Waits on the reader's availability signal, never sleeps.
/// </summary>
internal sealed class CdcReaderHarness : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Recording _output = new();
    private readonly ISourceReader<Row> _reader;

    public CdcReaderHarness(PostgresCdcSource source, IReadOnlyDictionary<string, byte[]>? restored = null, TimeProvider? time = null) =>
        _reader = source.CreateReader(new SourceReaderContext(0, 1, time ?? TimeProvider.System, () => _signal.Release(), 64)
        {
            RestoredSplits = restored ?? new Dictionary<string, byte[]>(),
        });

    /// <summary>Every row emitted so far, in order.</summary>
    public List<Row> Rows => _output.Rows;

    /// <summary>For each row in <see cref="Rows"/>, the number of the poll that emitted it.</summary>
    public List<int> PollOfRow => _output.Polls;

    /// <summary>Polls until <paramref name="count"/> rows in total were emitted; fails on a reader error or after a minute.</summary>
    public List<Row> ReadUntil(int count)
    {
        PollUntil(() => Rows.Count >= count, $"{count} rows");
        return Rows;
    }

    /// <summary>Polls until <paramref name="condition"/> holds (checked after each poll).</summary>
    public void PollUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        while (!condition())
        {
            var remaining = deadline - DateTime.UtcNow;
            remaining.ShouldBeGreaterThan(TimeSpan.Zero, $"timed out waiting for {what}; emitted {Rows.Count} rows");
            Poll(remaining);
        }
    }

    /// <summary>Polls once; when nothing is available, waits up to <paramref name="wait"/> for the reader's signal.</summary>
    public SourceStatus Poll(TimeSpan wait)
    {
        _output.Poll++;
        var status = _reader.PollNext(_output);
        if (status == SourceStatus.NothingAvailable)
        {
            _signal.Wait(wait);
        }
        return status;
    }

    /// <summary>
    /// Takes checkpoint 1, 2, … of the reader's split (between polls), as the runtime does; returns the restored-splits
    /// map a new reader takes.
    /// </summary>
    public Dictionary<string, byte[]> Checkpoint()
    {
        var checkpointed = (ICheckpointedSourceReader)_reader;
        return new Dictionary<string, byte[]> { [checkpointed.SplitId(0)] = checkpointed.SnapshotSplit(0, ++_checkpoints) };
    }

    private long _checkpoints;

    /// <summary>The position the reader would checkpoint now.</summary>
    public PostgresCdcPosition Position
    {
        get
        {
            var checkpointed = (ICheckpointedSourceReader)_reader;
            return PostgresCdcPosition.Decode("test", checkpointed.SnapshotSplit(0));
        }
    }

    public void CompleteCheckpoint(long id) => ((ICheckpointedSourceReader)_reader).NotifyCheckpointComplete(id);

    public void Dispose()
    {
        _reader.Dispose();
        _signal.Dispose();
    }

    private sealed class Recording : ISourceOutput<Row>
    {
        public List<Row> Rows { get; } = [];

        public List<int> Polls { get; } = [];

        public int Poll { get; set; }

        public void Collect(int split, Row value, long timestamp = EventTime.NoTimestamp)
        {
            Rows.Add(value);
            Polls.Add(Poll);
        }

        public void CollectBatch(int split, ReadOnlySpan<Row> values, ReadOnlySpan<long> timestamps)
        {
            foreach (var value in values)
            {
                Collect(split, value);
            }
        }

        public void EmitWatermark(int split, long watermark) { }

        public void MarkSplitFinished(int split) { }

        public void MarkSplitIdle(int split, bool idle) { }

        public void ReportDeadLetter(DeadLetter letter) => throw new InvalidOperationException($"Unexpected dead letter at {letter.Position}: {letter.Reason}");
    }
}
