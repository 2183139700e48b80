using Sluice.State.Serialization;

namespace Sluice.Quality.Rules;

/// <summary>
/// volume: the records per tumbling event-time window of <c>window</c> must lie in [min, max] and, once
/// <c>trailingWindows</c> windows are known, within <c>sigmas</c>·σ of their mean (σ their standard deviation; with
/// σ = 0, any difference from the mean fails). A window is judged when the watermark passes its end; empty windows
/// between two records' windows count 0 (an outage), windows after the last record are not judged (freshness catches a
/// stream that stopped). Counts are per subtask; the open windows' counts and the trailing history are checkpointed
/// (after a change of parallelism, counts of the same window add up and the first restored history is kept). Records
/// without event time are not counted.
/// </summary>
internal sealed class VolumeRule<T> : StreamRule<T>
{
    public VolumeRule(string name, TimeSpan window, long min, long max, int trailingWindows, double sigmas, RuleAction action)
        : base(name, RuleKind.Volume, action)
    {
        WindowMs = EventTime.PositiveMillis(window, nameof(window));
        Window = window;
        if (min < 0 || max < min)
        {
            throw new ArgumentOutOfRangeException(nameof(min), $"Rule '{name}': the count bounds [{min}, {max}] must satisfy 0 ≤ min ≤ max.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(trailingWindows);
        if (trailingWindows == 1 || !(sigmas > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(trailingWindows),
                $"Rule '{name}': the deviation check needs at least 2 trailing windows (0 turns it off) and a positive number of σ (got {trailingWindows} windows, {sigmas} σ).");
        }
        Min = min;
        Max = max;
        TrailingWindows = trailingWindows;
        Sigmas = sigmas;
    }

    public TimeSpan Window { get; }

    public long WindowMs { get; }

    public long Min { get; }

    public long Max { get; }

    public int TrailingWindows { get; }

    public double Sigmas { get; }

    public override string Describe() =>
        $"volume per {Window} in [{Min}, {(Max == long.MaxValue ? "∞" : Max)}]" + (TrailingWindows > 0 ? $" and within {Sigmas}σ of the last {TrailingWindows} windows" : "");

    public override StreamCheck<T> CreateCheck() => new VolumeCheck(this);

    private sealed class VolumeCheck(VolumeRule<T> rule) : StreamCheck<T>
    {
        private readonly Dictionary<long, long> _counts = [];
        private readonly long[] _history = new long[Math.Max(rule.TrailingWindows, 1)];
        private int _historyCount;
        private int _historyNext;
        private long _nextToJudge = long.MinValue; // start of the earliest window not judged yet
        private long _lastWithRecords = long.MinValue; // start of the latest window that received a record

        // The window of the latest record, whose count since it became hot is kept apart from _counts, so that a record
        // in the same window as the one before it costs a range check and an increment. Empty when _hotEnd is MinValue.
        private long _hotStart = long.MinValue;
        private long _hotEnd = long.MinValue;
        private long _hotCount;

        public override void Observe(long timestamp)
        {
            // NoTimestamp (MinValue) is never inside the hot window: _hotStart > MinValue whenever the window is set.
            if (timestamp >= _hotStart && timestamp < _hotEnd && timestamp != EventTime.NoTimestamp)
            {
                _hotCount++;
                return;
            }
            ObserveOutsideHotWindow(timestamp);
        }

        private void ObserveOutsideHotWindow(long timestamp)
        {
            if (timestamp == EventTime.NoTimestamp)
            {
                return;
            }
            var start = timestamp - Mod(timestamp, rule.WindowMs);
            if (_nextToJudge == long.MinValue)
            {
                _nextToJudge = start;
            }
            if (start < _nextToJudge)
            {
                return; // late: its window was judged already
            }
            if (start > _lastWithRecords)
            {
                _lastWithRecords = start;
            }
            FoldHotWindow();
            _hotStart = start;
            _hotEnd = start > long.MaxValue - rule.WindowMs ? long.MaxValue : start + rule.WindowMs;
            _hotCount = 1;
        }

        /// <summary>Adds the hot window's count to <see cref="_counts"/> (the window stays hot).</summary>
        private void FoldHotWindow()
        {
            if (_hotCount > 0)
            {
                ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_counts, _hotStart, out _);
                count += _hotCount;
                _hotCount = 0;
            }
        }

        /// <summary>Folds the hot window and forgets it, so the next record takes the full path (before judging or restoring).</summary>
        private void CoolHotWindow()
        {
            FoldHotWindow();
            _hotStart = _hotEnd = long.MinValue;
        }

        public override void OnWatermark(long watermark, IStreamVerdicts verdicts) => JudgeUpTo(watermark, verdicts);

        public override void EndInput(IStreamVerdicts verdicts) => JudgeUpTo(EventTime.MaxWatermark, verdicts);

        private void JudgeUpTo(long watermark, IStreamVerdicts verdicts)
        {
            CoolHotWindow();
            // A window [start, start + size) is complete once the watermark reaches its last millisecond.
            while (_nextToJudge != long.MinValue && _nextToJudge <= _lastWithRecords && _nextToJudge + rule.WindowMs - 1 <= watermark)
            {
                var start = _nextToJudge;
                _counts.Remove(start, out var count);
                Judge(start, count, verdicts);
                _nextToJudge = start + rule.WindowMs;
            }
        }

        private void Judge(long start, long count, IStreamVerdicts verdicts)
        {
            var end = start + rule.WindowMs;
            string? broken = null;
            if (count < rule.Min || count > rule.Max)
            {
                broken = $"outside [{rule.Min}, {(rule.Max == long.MaxValue ? "∞" : rule.Max)}]";
            }
            else if (rule.TrailingWindows > 0 && _historyCount == rule.TrailingWindows)
            {
                double sum = 0, squares = 0;
                foreach (var c in _history)
                {
                    sum += c;
                }
                var mean = sum / _historyCount;
                foreach (var c in _history)
                {
                    squares += (c - mean) * (c - mean);
                }
                var sigma = Math.Sqrt(squares / (_historyCount - 1));
                if (Math.Abs(count - mean) > rule.Sigmas * sigma)
                {
                    broken = $"more than {rule.Sigmas}σ from the mean {mean:0.##} (σ = {sigma:0.##}) of the last {_historyCount} windows";
                }
            }
            if (rule.TrailingWindows > 0)
            {
                _history[_historyNext] = count;
                _historyNext = (_historyNext + 1) % _history.Length;
                _historyCount = Math.Min(_historyCount + 1, _history.Length);
            }
            if (broken is null)
            {
                verdicts.Pass();
                return;
            }
            verdicts.Fail(start, end, count,
                $"rule '{rule.Name}' (volume) failed: window [{EventTime.Format(start)}, {EventTime.Format(end)}) has {count} records, {broken}");
        }

        /// <summary>
        /// The window to judge next, the latest window with records, the open windows' counts (by start) and the trailing
        /// history (oldest first).
        /// </summary>
        public override void Snapshot(StateWriter writer)
        {
            FoldHotWindow();
            writer.WriteInt64(_nextToJudge);
            writer.WriteInt64(_lastWithRecords);
            var starts = new List<long>(_counts.Keys);
            starts.Sort();
            writer.WriteInt32(starts.Count);
            foreach (var start in starts)
            {
                writer.WriteInt64(start);
                writer.WriteInt64(_counts[start]);
            }
            writer.WriteInt32(_historyCount);
            for (var i = 0; i < _historyCount; i++)
            {
                writer.WriteInt64(_history[(_historyNext - _historyCount + i + (2 * _history.Length)) % _history.Length]);
            }
        }

        public override void Restore(StateReader reader)
        {
            CoolHotWindow();
            var nextToJudge = reader.ReadInt64();
            var lastWithRecords = reader.ReadInt64();
            // Several subtasks' state (a rescale): judge from the earliest window any of them had open.
            _nextToJudge = _restored && _nextToJudge != long.MinValue && nextToJudge != long.MinValue ? Math.Min(_nextToJudge, nextToJudge) : Math.Max(_nextToJudge, nextToJudge);
            _lastWithRecords = Math.Max(_lastWithRecords, lastWithRecords);
            var windows = reader.ReadInt32();
            for (var i = 0; i < windows; i++)
            {
                var start = reader.ReadInt64();
                var count = reader.ReadInt64();
                _counts[start] = _counts.GetValueOrDefault(start) + count;
            }
            var history = reader.ReadInt32();
            var values = new long[history];
            for (var i = 0; i < history; i++)
            {
                values[i] = reader.ReadInt64();
            }
            if (!_restored && rule.TrailingWindows > 0)
            {
                // Keep the newest windows that fit (the rule's trailing count may have shrunk).
                foreach (var value in values.AsSpan(Math.Max(0, history - _history.Length)))
                {
                    _history[_historyNext] = value;
                    _historyNext = (_historyNext + 1) % _history.Length;
                    _historyCount = Math.Min(_historyCount + 1, _history.Length);
                }
            }
            _restored = true;
        }

        private bool _restored;

        private static long Mod(long value, long divisor)
        {
            var m = value % divisor;
            return m < 0 ? m + divisor : m;
        }
    }
}
