using Sluice.Operators;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Extensibility.Tests;

/// <summary>
/// A stateful map written against the public operator API only: emits "value:running sum" per record and keeps the
/// sum in split list state (one element per subtask), so a restore — also at another parallelism — continues the sum
/// where the checkpoint left it.
/// </summary>
internal sealed class RunningSumOperator(List<long> completedCheckpoints) : OneInputStreamOperator<long, string>
{
    private IListState<long> _state = null!;
    private long _sum;

    public override void Open()
    {
        _state = Context.OperatorState.GetListState(new ListStateDescriptor<long>("sum"));
        foreach (var part in _state.Get())
        {
            _sum += part;
        }
    }

    public override void ProcessElement(long value, long timestamp)
    {
        _sum += value;
        Output.Collect($"{value}:{_sum}", timestamp);
    }

    public override void SnapshotState(long checkpointId) => _state.Update([_sum]);

    public override void NotifyCheckpointComplete(long checkpointId)
    {
        lock (completedCheckpoints)
        {
            completedCheckpoints.Add(checkpointId);
        }
    }
}

/// <summary>
/// A keyed count per 1-second event-time bucket, built on the runtime's keyed state and timers: each record adds to
/// its (key, bucket) count and registers an event-time timer at the bucket's last millisecond; the timer emits
/// "key@bucketStart=count" and removes the bucket. Counts are kept per bucket because records of the next bucket
/// arrive before the watermark closes the previous one.
/// </summary>
internal sealed class BucketCountOperator : KeyedOneInputStreamOperator<long, long, string>
{
    public const long BucketMs = 1_000;
    private IMapState<long, long> _counts = null!;

    public override void Open() => _counts = Context.State.GetMapState(new MapStateDescriptor<long, long>("counts"));

    public override void ProcessElement(long value, long timestamp)
    {
        var bucket = timestamp - (timestamp % BucketMs);
        _counts.Put(bucket, _counts.TryGetValue(bucket, out var count) ? count + 1 : 1);
        Context.TimerService.RegisterEventTimeTimer(bucket + BucketMs - 1);
    }

    public override void OnTimer(long time, TimeDomain domain)
    {
        var bucket = time + 1 - BucketMs;
        _counts.TryGetValue(bucket, out var count).ShouldBeTrue("a timer fires only for a bucket with records");
        Output.Collect($"{CurrentKey}@{bucket}={count}", time);
        _counts.Remove(bucket);
    }
}

/// <summary>Fails on the record <paramref name="poison"/>.</summary>
internal sealed class FailingOperator(long poison) : OneInputStreamOperator<long, long>
{
    public override void ProcessElement(long value, long timestamp)
    {
        if (value == poison)
        {
            throw new InvalidOperationException("poison record");
        }
        Output.Collect(value, timestamp);
    }
}

/// <summary>
/// A keyed two-input operator: per key and 1-second event-time bucket, counts the records of each input in map state
/// and, at the bucket's end (an event-time timer, fired once the slower input's watermark passes it), emits
/// "key@bucketStart=left/right".
/// </summary>
internal sealed class BucketPairOperator : KeyedTwoInputStreamOperator<long, long, long, string>
{
    public const long BucketMs = 1_000;
    private IMapState<long, long> _left = null!;
    private IMapState<long, long> _right = null!;

    public override void Open()
    {
        _left = Context.State.GetMapState(new MapStateDescriptor<long, long>("left"));
        _right = Context.State.GetMapState(new MapStateDescriptor<long, long>("right"));
    }

    public override void ProcessElement1(long value, long timestamp) => Count(_left, timestamp);

    public override void ProcessElement2(long value, long timestamp) => Count(_right, timestamp);

    private void Count(IMapState<long, long> counts, long timestamp)
    {
        var bucket = timestamp - (timestamp % BucketMs);
        counts.Put(bucket, counts.TryGetValue(bucket, out var count) ? count + 1 : 1);
        Context.TimerService.RegisterEventTimeTimer(bucket + BucketMs - 1);
    }

    public override void OnTimer(long time, TimeDomain domain)
    {
        var bucket = time + 1 - BucketMs;
        _left.TryGetValue(bucket, out var left);
        _right.TryGetValue(bucket, out var right);
        Output.Collect($"{CurrentKey}@{bucket}={left}/{right}", time);
        _left.Remove(bucket);
        _right.Remove(bucket);
    }
}

/// <summary>Passes its first input through as text and fails on the second input's record <paramref name="poison"/>.</summary>
internal sealed class FailingPairOperator(long poison) : KeyedTwoInputStreamOperator<long, long, long, string>
{
    public override void ProcessElement1(long value, long timestamp) => Output.Collect($"{value}", timestamp);

    public override void ProcessElement2(long value, long timestamp)
    {
        if (value == poison)
        {
            throw new InvalidOperationException("poison record");
        }
    }
}
