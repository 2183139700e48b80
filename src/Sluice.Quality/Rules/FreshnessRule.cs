using Sluice.Operators;
using Sluice.State.Serialization;

namespace Sluice.Quality.Rules;

/// <summary>
/// freshness: every <c>checkEvery</c> (default the max lag, at most a minute; at most a day) of processing time (the job's clock), the newest event time the subtask has seen
/// must be at most <c>maxLag</c> behind the clock. Before the first record the operator's open time stands in for it,
/// so a stream that never starts, or stops (an outage), fails the check; one that lags (a backlog) fails it too. The
/// newest event time is checkpointed, so an outage across a restart is still measured from the last record.
/// </summary>
internal sealed class FreshnessRule<T> : StreamRule<T>
{
    public FreshnessRule(string name, TimeSpan maxLag, TimeSpan? checkEvery, RuleAction action) : base(name, RuleKind.Freshness, action)
    {
        MaxLag = maxLag;
        MaxLagMs = EventTime.PositiveMillis(maxLag, nameof(maxLag));
        CheckEveryMs = checkEvery is { } every ? EventTime.PositiveMillis(every, nameof(checkEvery)) : Math.Min(MaxLagMs, DefaultMaxCheckEveryMs);
        if (CheckEveryMs > MaxCheckEveryMs)
        {
            throw new ArgumentOutOfRangeException(nameof(checkEvery), checkEvery, $"Rule '{name}': checks run at least once a day; give a checkEvery of at most 1 day.");
        }
    }

    /// <summary>The longest default interval between checks (a lag bound of hours is still checked every minute).</summary>
    public const long DefaultMaxCheckEveryMs = 60_000;

    /// <summary>The longest interval between checks one may ask for (the task's timers reach about 49 days).</summary>
    public const long MaxCheckEveryMs = 86_400_000;

    public TimeSpan MaxLag { get; }

    public long MaxLagMs { get; }

    public long CheckEveryMs { get; }

    public override string Describe() => $"freshness max lag {MaxLag}";

    public override StreamCheck<T> CreateCheck() => new FreshnessCheck(this);

    private sealed class FreshnessCheck(FreshnessRule<T> rule) : StreamCheck<T>
    {
        private IStreamOperatorContext _context = null!;
        private long _newest = EventTime.NoTimestamp;
        private long _nextCheck;
        private bool _ended;

        public override void Open(IStreamOperatorContext context)
        {
            _context = context;
            var now = context.CurrentProcessingTime;
            _newest = now; // until a record arrives, the stream counts as fresh as of its start
            _nextCheck = now + rule.CheckEveryMs;
            context.RequestProcessingTime(_nextCheck);
        }

        public override void Observe(long timestamp)
        {
            if (timestamp > _newest)
            {
                _newest = timestamp;
            }
        }

        public override void OnProcessingTime(long now, IStreamVerdicts verdicts)
        {
            if (_ended || now < _nextCheck)
            {
                return;
            }
            var lag = now - _newest;
            if (lag > rule.MaxLagMs)
            {
                verdicts.Fail(_newest, now, lag,
                    $"rule '{rule.Name}' (freshness) failed: the newest event time {EventTime.Format(_newest)} is {TimeSpan.FromMilliseconds(lag)} behind processing time {EventTime.Format(now)}, more than the allowed {rule.MaxLag}");
            }
            else
            {
                verdicts.Pass();
            }
            _nextCheck = now + rule.CheckEveryMs;
            _context.RequestProcessingTime(_nextCheck);
        }

        public override void EndInput(IStreamVerdicts verdicts) => _ended = true;

        /// <summary>The newest event time seen (or the open time before any record): an outage across a restart still counts.</summary>
        public override void Snapshot(StateWriter writer) => writer.WriteInt64(_newest);

        public override void Restore(StateReader reader)
        {
            var newest = reader.ReadInt64();
            // Open set the restart's time; the restored newest event time replaces it (the newest of several subtasks').
            _newest = _restored ? Math.Max(_newest, newest) : newest;
            _restored = true;
        }

        private bool _restored;
    }
}
