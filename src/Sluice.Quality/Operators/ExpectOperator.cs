using Sluice.Operators;

namespace Sluice.Quality;

/// <summary>The expectation operator of a stream without unique rules: chained; its only state is the stream rules' (operator list state).</summary>
internal sealed class ExpectOperator<T>(Expectation<T> expectation) : OneInputStreamOperator<T, T>
{
    private ExpectationRunner<T>? _runner;

    public override void Open()
    {
        _runner = new ExpectationRunner<T>(expectation, Context, Output);
        _runner.Open();
    }

    public override void ProcessElement(T value, long timestamp) => _runner!.Process(value, timestamp);

    /// <summary>
    /// Judges the batch record by record and emits each run of records that stay in the stream as one batch, so a batch
    /// that passes whole costs the output one call. A refused record's run is emitted before its dead letter (or its
    /// failure), so the outputs see records in the order of the per-record path.
    /// </summary>
    public override void ProcessBatch(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps)
    {
        var runner = _runner!;
        var runStart = 0;
        for (var i = 0; i < values.Length; i++)
        {
            int refusing;
            Rules.CheckOutcome outcome;
            try
            {
                refusing = runner.Judge(values[i], timestamps[i], out outcome);
            }
            catch (Exception) when (runStart < i)
            {
                // A rule threw (a user selector or predicate): the records judged before it leave first, as per record.
                CollectBatch(values[runStart..i], timestamps[runStart..i]);
                throw;
            }
            if (refusing < 0)
            {
                continue;
            }
            if (runStart < i)
            {
                CollectBatch(values[runStart..i], timestamps[runStart..i]);
            }
            runStart = i + 1;
            runner.Exit(refusing, values[i], timestamps[i], outcome);
        }
        if (runStart < values.Length)
        {
            CollectBatch(values[runStart..], timestamps[runStart..]);
        }
    }

    public override void ProcessWatermark(long watermark)
    {
        _runner!.OnWatermark(watermark);
        Output.EmitWatermark(watermark);
    }

    public override void OnProcessingTime(long now) => _runner!.OnProcessingTime(now);

    public override void SnapshotState(long checkpointId) => _runner!.Snapshot();

    public override void EndInput() => _runner!.EndInput();

    public override void Close() => _runner?.Flush();
}

/// <summary>The expectation operator of a stream with a unique rule: keyed by that rule's key, so it has keyed state and timers.</summary>
internal sealed class KeyedExpectOperator<TKey, T>(Expectation<T> expectation) : KeyedOneInputStreamOperator<TKey, T, T>
{
    private ExpectationRunner<T>? _runner;

    public override void Open()
    {
        _runner = new ExpectationRunner<T>(expectation, Context, Output);
        _runner.Open();
    }

    public override void ProcessElement(T value, long timestamp) => _runner!.Process(value, timestamp);

    public override void OnTimer(long time, TimeDomain domain) => _runner!.OnTimer(time, domain);

    public override void ProcessWatermark(long watermark)
    {
        _runner!.OnWatermark(watermark);
        Output.EmitWatermark(watermark);
    }

    public override void OnProcessingTime(long now) => _runner!.OnProcessingTime(now);

    public override void SnapshotState(long checkpointId) => _runner!.Snapshot();

    public override void EndInput() => _runner!.EndInput();

    public override void Close() => _runner?.Flush();
}
