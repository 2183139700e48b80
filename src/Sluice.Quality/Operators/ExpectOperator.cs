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

    public override void ProcessBatch(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps)
    {
        var runner = _runner!;
        for (var i = 0; i < values.Length; i++)
        {
            runner.Process(values[i], timestamps[i]);
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
