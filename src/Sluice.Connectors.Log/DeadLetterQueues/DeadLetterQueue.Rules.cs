using Sluice.Formats;
using Sluice.Log;

namespace Sluice.Connectors.Log;

public sealed partial class DeadLetterQueue
{
    /// <summary>
    /// The rule failures one job dead-lettered, over every dead-letter topic: per operator and rule, the count, the
    /// counts per window of <paramref name="windowMs"/> of dead-letter time (the newest <paramref name="windowsKept"/>
    /// windows) and the first <paramref name="examplesPerRule"/> dead letters (by topic, partition, offset). Reads at
    /// most <see cref="MaxScannedRecords"/> records per topic (<see cref="RuleFailureSummary.Complete"/> says whether it
    /// read them all); holds one bounded entry per rule. <c>sluice quality report</c> and
    /// <c>GET /api/jobs/{job}/quality</c> use it for the examples (and, without a running job, the counts).
    /// </summary>
    /// <param name="job">The job's name, as its dead letters carry it (<see cref="DeadLetterRecord.Origin"/>).</param>
    /// <param name="examplesPerRule">How many dead letters to keep per rule, 0 or more.</param>
    /// <param name="windowMs">The window length in milliseconds, 1 or more.</param>
    /// <param name="windowsKept">How many of the newest windows to keep per rule, 1 or more.</param>
    public RuleFailureSummary RuleFailures(string job, int examplesPerRule, long windowMs, int windowsKept)
    {
        ArgumentException.ThrowIfNullOrEmpty(job);
        ArgumentOutOfRangeException.ThrowIfNegative(examplesPerRule);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowMs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowsKept, 1);
        var filter = new DeadLetterFilter { Kind = DeadLetterKind.Rule, Job = job };
        var rules = new Dictionary<(string Operator, string Rule), RuleFailureBuilder>();
        var order = new List<(string Operator, string Rule)>();
        var complete = true;
        foreach (var topic in Log.ListTopics())
        {
            if (!DeadLetters.IsDeadLetterTopic(topic.Name))
            {
                continue;
            }
            complete &= Scan(topic, filter, letter =>
            {
                var key = (letter.Operator ?? "", letter.Rule ?? "");
                if (!rules.TryGetValue(key, out var builder))
                {
                    rules[key] = builder = new RuleFailureBuilder(windowsKept);
                    order.Add(key);
                }
                builder.Add(letter, examplesPerRule, windowMs);
            });
        }
        var summaries = new List<RuleFailures>(order.Count);
        foreach (var key in order)
        {
            summaries.Add(rules[key].Build(key.Operator, key.Rule));
        }
        return new RuleFailureSummary(job, windowMs, summaries, complete);
    }

    /// <summary>One rule's failures while they are read: the count, a bounded window map and the first examples.</summary>
    private sealed class RuleFailureBuilder(int windowsKept)
    {
        private readonly SortedDictionary<long, long> _windows = [];
        private readonly List<DeadLetterRecord> _examples = [];
        private long _count;

        public void Add(DeadLetterRecord letter, int examples, long windowMs)
        {
            _count++;
            if (_examples.Count < examples)
            {
                _examples.Add(letter);
            }
            var start = letter.Time - (((letter.Time % windowMs) + windowMs) % windowMs);
            _windows[start] = _windows.GetValueOrDefault(start) + 1;
            if (_windows.Count > windowsKept)
            {
                // Keep the newest windows: the oldest one goes.
                foreach (var oldest in _windows.Keys)
                {
                    _windows.Remove(oldest);
                    break;
                }
            }
        }

        public RuleFailures Build(string op, string rule)
        {
            var windows = new List<RuleFailureWindow>(_windows.Count);
            foreach (var (start, count) in _windows)
            {
                windows.Add(new RuleFailureWindow(start, count));
            }
            return new RuleFailures(op, rule, _count, windows, _examples);
        }
    }
}

/// <summary>The rule failures a job dead-lettered (<see cref="DeadLetterQueue.RuleFailures"/>).</summary>
/// <param name="Job">The job's name.</param>
/// <param name="WindowMs">The window length, milliseconds of dead-letter time.</param>
/// <param name="Rules">Per operator and rule, in the order first met.</param>
/// <param name="Complete">False when a dead-letter topic held more records than one scan reads (<see cref="DeadLetterQueue.MaxScannedRecords"/>): the counts then cover its oldest ones only.</param>
public sealed record RuleFailureSummary(string Job, long WindowMs, IReadOnlyList<RuleFailures> Rules, bool Complete);

/// <summary>The dead letters one rule of one operator refused.</summary>
/// <param name="Operator">The operator that refused them (empty when the envelope names none).</param>
/// <param name="Rule">The rule's name.</param>
/// <param name="Count">Dead letters read.</param>
/// <param name="Windows">Counts per window of dead-letter time, oldest first (the newest windows kept).</param>
/// <param name="Examples">The first dead letters, by topic, partition and offset.</param>
public sealed record RuleFailures(string Operator, string Rule, long Count, IReadOnlyList<RuleFailureWindow> Windows, IReadOnlyList<DeadLetterRecord> Examples);

/// <summary>How many dead letters of one rule fall in one window.</summary>
/// <param name="StartMs">The window's start, Unix milliseconds.</param>
/// <param name="Count">Dead letters in it.</param>
public sealed record RuleFailureWindow(long StartMs, long Count);
