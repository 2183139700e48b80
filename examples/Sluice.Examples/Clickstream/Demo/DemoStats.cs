namespace Sluice.Examples.Clickstream.Demo;

/// <summary>
/// Live counts the demo's console view shows. Updated from job threads with interlocked operations; reads are
/// snapshots. Counts restart with the process (after a restore they count this run's records only).
/// </summary>
public sealed class DemoStats
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _pageViews = [];
    private long _ingested;
    private long _deadLettered;
    private long _duplicates;
    private long _late;
    private long _out;
    private long _watermark = EventTime.MinWatermark;
    private long _checkpoints;

    /// <summary>Input lines read.</summary>
    public long Ingested => Interlocked.Read(ref _ingested);

    /// <summary>Lines sent to the DLQ.</summary>
    public long DeadLetteredCount => Interlocked.Read(ref _deadLettered);

    /// <summary>Repeated event ids dropped.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Events beyond the allowed lateness.</summary>
    public long Late => Interlocked.Read(ref _late);

    /// <summary>Events that reached the gold tables.</summary>
    public long Output => Interlocked.Read(ref _out);

    /// <summary>Checkpoints completed.</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>The latest watermark seen after dedup (ms), or <see cref="EventTime.MinWatermark"/>.</summary>
    public long CurrentWatermark => Interlocked.Read(ref _watermark);

    internal void RecordIngested() => Interlocked.Increment(ref _ingested);

    internal void RecordDeadLettered() => Interlocked.Increment(ref _deadLettered);

    internal void RecordDuplicate() => Interlocked.Increment(ref _duplicates);

    internal void RecordLate() => Interlocked.Increment(ref _late);

    internal void RecordOutput() => Interlocked.Increment(ref _out);

    internal void RecordCheckpoint() => Interlocked.Increment(ref _checkpoints);

    internal void RecordWatermark(long watermark)
    {
        long current;
        while (watermark > (current = Interlocked.Read(ref _watermark)) && Interlocked.CompareExchange(ref _watermark, watermark, current) != current)
        {
        }
    }

    internal void RecordPage(PageMinute window)
    {
        lock (_lock)
        {
            _pageViews[window.Page] = _pageViews.GetValueOrDefault(window.Page) + window.Views;
        }
    }

    /// <summary>Pages by views counted so far (windows fired), most viewed first.</summary>
    public IReadOnlyList<(string Page, long Views)> TopPages(int count)
    {
        lock (_lock)
        {
            return [.. _pageViews.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(count).Select(p => (p.Key, p.Value))];
        }
    }
}
