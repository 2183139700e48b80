namespace Sluice.Runtime.Tasks;

/// <summary>
/// Merges the watermarks of a task's input channels: the task's watermark is the minimum over channels that are
/// active and aligned. An idle channel is left out, so it cannot stall event time; a channel that becomes active
/// again rejoins only once its watermark has caught up with the merged one. The merged watermark never decreases.
/// </summary>
internal sealed class WatermarkValve
{
    private readonly long[] _watermarks;
    private readonly bool[] _idle;
    private readonly bool[] _aligned;
    private long _current = EventTime.MinWatermark;

    public WatermarkValve(int channels)
    {
        _watermarks = new long[channels];
        Array.Fill(_watermarks, EventTime.MinWatermark);
        _idle = new bool[channels];
        _aligned = new bool[channels];
        Array.Fill(_aligned, true);
    }

    /// <summary>The merged watermark so far.</summary>
    public long Current => _current;

    /// <summary>True when every channel is idle.</summary>
    public bool AllIdle { get; private set; }

    /// <summary>Records a channel's watermark; true with the new merged watermark when it advanced.</summary>
    public bool OnWatermark(int channel, long watermark, out long merged)
    {
        if (watermark > _watermarks[channel])
        {
            _watermarks[channel] = watermark;
            if (!_aligned[channel] && watermark >= _current)
            {
                _aligned[channel] = true;
            }
        }
        return Recompute(out merged);
    }

    /// <summary>Records a channel's idleness; true with the new merged watermark when that advanced it.</summary>
    public bool OnIdle(int channel, bool idle, out long merged)
    {
        _idle[channel] = idle;
        if (!idle)
        {
            _aligned[channel] = _watermarks[channel] >= _current;
        }
        AllIdle = Array.TrueForAll(_idle, static i => i);
        return Recompute(out merged);
    }

    private bool Recompute(out long merged)
    {
        var min = long.MaxValue;
        var any = false;
        for (var i = 0; i < _watermarks.Length; i++)
        {
            if (!_idle[i] && _aligned[i])
            {
                any = true;
                min = Math.Min(min, _watermarks[i]);
            }
        }
        if (any && min > _current)
        {
            _current = min;
            merged = min;
            return true;
        }
        merged = _current;
        return false;
    }
}
