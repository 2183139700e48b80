namespace Sluice.Runtime.Tests.Support;

/// <summary>A keyed test event with an event timestamp (ms) and a value.</summary>
public sealed record Ev(string Key, long Ts, int Value = 1);

/// <summary>A window result: key, window bounds and an aggregate.</summary>
public sealed record Win(string Key, long Start, long End, long Count);

/// <summary>Counts records.</summary>
public sealed class CountAggregate<T> : IAggregateFunction<T, long, long>
{
    public long CreateAccumulator() => 0;

    public long Add(long accumulator, T value) => accumulator + 1;

    public long GetResult(long accumulator) => accumulator;

    public long Merge(long a, long b) => a + b;
}

/// <summary>Sums <see cref="Ev.Value"/>.</summary>
public sealed class SumAggregate : IAggregateFunction<Ev, long, long>
{
    public long CreateAccumulator() => 0;

    public long Add(long accumulator, Ev value) => accumulator + value.Value;

    public long GetResult(long accumulator) => accumulator;

    public long Merge(long a, long b) => a + b;
}

/// <summary>Waits used instead of sleeps: a generous timeout that fails the test.</summary>
public static class Signals
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static void WaitOrFail(this ManualResetEventSlim signal, string what)
    {
        if (!signal.Wait(Timeout))
        {
            throw new TimeoutException($"Timed out after {Timeout.TotalSeconds} s waiting for {what}.");
        }
    }

    public static Task<T> OrTimeout<T>(this Task<T> task) => task.WaitAsync(Timeout);

    public static Task OrTimeout(this Task task) => task.WaitAsync(Timeout);
}
