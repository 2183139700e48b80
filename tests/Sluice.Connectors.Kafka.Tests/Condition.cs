namespace Sluice.Connectors.Kafka.Tests;

/// <summary>A condition other threads signal; tests wait on it with a timeout that fails the test (no sleeps).</summary>
public sealed class Condition
{
    private readonly object _lock = new();

    public void Signal()
    {
        lock (_lock)
        {
            Monitor.PulseAll(_lock);
        }
    }

    public void WaitUntil(Func<bool> predicate, string what, int timeoutSeconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        lock (_lock)
        {
            while (!predicate())
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"Timed out after {timeoutSeconds} s waiting for {what}.");
                }
                // Re-check at least every 100 ms: a signal may land between the predicate and the wait.
                Monitor.Wait(_lock, left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
            }
        }
    }
}
