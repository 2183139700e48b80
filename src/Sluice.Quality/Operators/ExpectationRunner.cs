using System.Diagnostics;
using Sluice.Operators;
using Sluice.Quality.Rules;
using Sluice.State;

namespace Sluice.Quality;

/// <summary>
/// One subtask's run of an <see cref="Expectation{T}"/>: judges each record by the record rules in order, routes it by
/// the first refusing rule's action, feeds the stream rules, and keeps per-rule pass and fail counts that it adds to
/// <see cref="QualityMetrics"/> every few thousand records and at every watermark, timer, checkpoint and end. A record
/// that passes costs no allocation. Task thread only.
/// </summary>
internal sealed class ExpectationRunner<T>
{
    private const int FlushEvery = 4096;

    private readonly Expectation<T> _expectation;
    private readonly IStreamOperatorContext _context;
    private readonly IOperatorOutput<T> _output;
    private readonly RecordCheck<T>[] _checks;
    private readonly RuleAction[] _actions;
    private readonly long[] _exits;
    private readonly StreamCheck<T>[] _streamChecks;
    private readonly StreamVerdicts[] _verdicts;
    private readonly RuleCounts _counts;
    private readonly int _streamBase;
    private readonly bool _judgesInBatches;
    private long _records;
    private int _unflushed;
    private IListState<byte[]>? _streamState;

    // ProcessBatch's scratch, as long as the longest batch seen: which records are still in the stream, the current
    // rule's outcomes, and per record taken out what to do with it (null: dropped; a DeadLetter; the exception to throw).
    private bool[] _live = [];
    private CheckOutcome[] _outcomes = [];
    private object?[] _exitOf = [];

    public ExpectationRunner(Expectation<T> expectation, IStreamOperatorContext context, IOperatorOutput<T> output)
    {
        _expectation = expectation;
        _context = context;
        _output = output;
        var records = expectation.RecordRules;
        _checks = new RecordCheck<T>[records.Length];
        _actions = new RuleAction[records.Length];
        _exits = new long[records.Length];
        for (var i = 0; i < records.Length; i++)
        {
            _checks[i] = records[i].CreateCheck();
            _actions[i] = records[i].Action;
        }
        var streams = expectation.StreamRules;
        _streamChecks = new StreamCheck<T>[streams.Length];
        _verdicts = new StreamVerdicts[streams.Length];
        _streamBase = records.Length;
        for (var i = 0; i < streams.Length; i++)
        {
            _streamChecks[i] = streams[i].CreateCheck();
            _verdicts[i] = new StreamVerdicts(this, i);
        }
        _counts = new RuleCounts(context, [.. records.Select(r => (r.Name, r.KindName, r.Action)), .. streams.Select(r => (r.Name, r.KindName, r.Action))]);
        _judgesInBatches = Array.TrueForAll(_checks, static c => c.JudgesInBatches);
    }

    /// <summary>Pass and fail counts per rule (record rules first, then stream rules) since the subtask opened.</summary>
    public RuleCounts Counts => _counts;

    public void Open()
    {
        foreach (var check in _checks)
        {
            check.Open(_context);
        }
        foreach (var check in _streamChecks)
        {
            check.Open(_context);
        }
        if (_streamChecks.Length > 0)
        {
            _streamState = _context.OperatorState.GetListState(new ListStateDescriptor<byte[]>(StreamRuleState.Name));
            StreamRuleState.Restore(_streamState.Get(), _expectation.StreamRules, _streamChecks, _context.OperatorName);
        }
    }

    /// <summary>Flushes the counts and writes the stream rules' state into the operator state (at a checkpoint).</summary>
    public void Snapshot()
    {
        Flush();
        _streamState?.Update([StreamRuleState.Write(_expectation.StreamRules, _streamChecks)]);
    }

    /// <summary>Judges one record and emits it, dead-letters it, drops it or fails the job.</summary>
    /// <remarks>Only failures are counted per record; a rule's passes are derived in <see cref="Flush"/> from the records
    /// that reached it (every record, less those an earlier rule took out of the stream).</remarks>
    public void Process(T value, long timestamp)
    {
        if (++_unflushed >= FlushEvery)
        {
            Flush();
        }
        _records++;
        var streamChecks = _streamChecks;
        for (var i = 0; i < streamChecks.Length; i++)
        {
            streamChecks[i].Observe(timestamp);
        }
        var checks = _checks;
        for (var i = 0; i < checks.Length; i++)
        {
            var outcome = checks[i].Check(value, timestamp);
            if (outcome == CheckOutcome.Pass)
            {
                continue;
            }
            _counts.Failed[i]++;
            var action = ActionOn(i, outcome);
            if (action == RuleAction.Warn)
            {
                continue;
            }
            _exits[i]++;
            switch (action)
            {
                case RuleAction.Drop:
                    return;
                case RuleAction.DeadLetter:
                    _output.CollectSide(DeadLetters.Tag, Letter(i, value, timestamp, outcome, _records), timestamp);
                    return;
                default:
                    Flush();
                    throw Failure(i, value, timestamp, outcome, _records);
            }
        }
        _output.Collect(value, timestamp);
    }

    /// <summary>
    /// Judges a batch rule by rule (one virtual call per rule and batch, <see cref="RecordCheck{T}.CheckBatch"/>), then
    /// emits in record order: each kept record, and each refused one per its first refusing rule. The records, letters and counts are those of <see cref="Process"/> per record, with one
    /// difference when a Fail rule stops the job: the batch's later records were judged too (custom predicates ran on
    /// them, and the counts flushed before the exception include them), though none of them was emitted. Falls back to
    /// <see cref="Process"/> per record when a check cannot judge in batches (<see cref="RecordCheck{T}.JudgesInBatches"/>).
    /// </summary>
    public void ProcessBatch(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps)
    {
        Debug.Assert(values.Length == timestamps.Length, "A batch has one timestamp per record.");
        if (!_judgesInBatches)
        {
            for (var j = 0; j < values.Length; j++)
            {
                Process(values[j], timestamps[j]);
            }
            return;
        }
        var n = values.Length;
        if (_live.Length < n)
        {
            _live = new bool[n];
            _outcomes = new CheckOutcome[n];
            _exitOf = new object?[n];
        }
        foreach (var check in _streamChecks)
        {
            check.ObserveBatch(timestamps);
        }
        var live = _live.AsSpan(0, n);
        live.Fill(true);
        var outcomes = _outcomes.AsSpan(0, n);
        var before = _records;
        var exited = false;
        for (var i = 0; i < _checks.Length; i++)
        {
            if (_checks[i].CheckBatch(values, timestamps, live, outcomes) == 0)
            {
                continue;
            }
            for (var j = 0; j < n; j++)
            {
                if (!live[j] || outcomes[j] == CheckOutcome.Pass)
                {
                    continue;
                }
                _counts.Failed[i]++;
                var action = ActionOn(i, outcomes[j]);
                if (action == RuleAction.Warn)
                {
                    continue;
                }
                live[j] = false;
                _exits[i]++;
                exited = true;
                _exitOf[j] = action switch
                {
                    RuleAction.Drop => null,
                    RuleAction.DeadLetter => Letter(i, values[j], timestamps[j], outcomes[j], before + j + 1),
                    _ => Failure(i, values[j], timestamps[j], outcomes[j], before + j + 1),
                };
            }
        }
        _records += n;
        _unflushed += n;
        if (exited)
        {
            EmitInOrder(values, timestamps, live);
        }
        else
        {
            for (var j = 0; j < n; j++)
            {
                _output.Collect(values[j], timestamps[j]);
            }
        }
        if (_unflushed >= FlushEvery)
        {
            Flush();
        }
    }

    private void EmitInOrder(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps, ReadOnlySpan<bool> live)
    {
        for (var j = 0; j < values.Length; j++)
        {
            if (live[j])
            {
                _output.Collect(values[j], timestamps[j]);
                continue;
            }
            var exit = _exitOf[j];
            _exitOf[j] = null;
            if (exit is DeadLetter letter)
            {
                _output.CollectSide(DeadLetters.Tag, letter, timestamps[j]);
            }
            else if (exit is RuleViolationException failure)
            {
                Array.Clear(_exitOf);
                Flush();
                throw failure;
            }
        }
    }

    /// <summary>What happens to a record rule <paramref name="rule"/> did not pass: its action, except that a record it could not evaluate is dead-lettered unless the action is Fail.</summary>
    private RuleAction ActionOn(int rule, CheckOutcome outcome) =>
        outcome == CheckOutcome.Error && _actions[rule] != RuleAction.Fail ? RuleAction.DeadLetter : _actions[rule];

    public void OnWatermark(long watermark)
    {
        for (var i = 0; i < _streamChecks.Length; i++)
        {
            _streamChecks[i].OnWatermark(watermark, _verdicts[i]);
        }
        Flush();
    }

    public void OnProcessingTime(long now)
    {
        for (var i = 0; i < _streamChecks.Length; i++)
        {
            _streamChecks[i].OnProcessingTime(now, _verdicts[i]);
        }
        Flush();
    }

    /// <summary>A keyed timer fired: it belongs to the keyed (unique) rule, which runs last.</summary>
    public void OnTimer(long time, TimeDomain domain)
    {
        Debug.Assert(_expectation.KeyedRule is not null, "Only a keyed expectation registers timers.");
        _checks[^1].OnTimer(time, domain);
    }

    public void EndInput()
    {
        for (var i = 0; i < _streamChecks.Length; i++)
        {
            _streamChecks[i].EndInput(_verdicts[i]);
        }
        Flush();
    }

    /// <summary>Adds the counts since the last flush to the rule metrics.</summary>
    public void Flush()
    {
        _unflushed = 0;
        var reached = _records;
        for (var i = 0; i < _checks.Length; i++)
        {
            _counts.Passed[i] = reached - _counts.Failed[i];
            reached -= _exits[i];
        }
        _counts.Flush();
    }

    private string Position(long record, long timestamp) =>
        $"input record {record} of subtask {_context.SubtaskIndex}" + (timestamp == EventTime.NoTimestamp ? "" : $", event time {EventTime.Format(timestamp)}");

    private string Reason(int index, T value, CheckOutcome outcome, out string? fieldPath)
    {
        var rule = _expectation.RecordRules[index];
        fieldPath = rule.FieldPathOf(value);
        var explanation = _checks[index].Explain(value, outcome);
        return fieldPath is null
            ? $"rule '{rule.Name}' ({rule.Describe()}) failed: {explanation}"
            : $"rule '{rule.Name}' ({rule.Describe()}) failed on field '{fieldPath}': {explanation}";
    }

    private DeadLetter Letter(int index, T value, long timestamp, CheckOutcome outcome, long record)
    {
        var reason = Reason(index, value, outcome, out var fieldPath);
        var payload = _expectation.Payload is { } format ? format(value) : value?.ToString() ?? "null";
        return new DeadLetter(_context.OperatorName, Position(record, timestamp), reason, DeadLetters.Truncate(payload), fieldPath)
        {
            Kind = DeadLetterKind.Rule,
            Rule = _expectation.RecordRules[index].Name,
            Operator = _context.OperatorName,
            Job = _context.JobName,
            EventTime = timestamp,
            Origin = _expectation.Origin?.Invoke(value),
        };
    }

    private RuleViolationException Failure(int index, T value, long timestamp, CheckOutcome outcome, long record)
    {
        var reason = Reason(index, value, outcome, out var fieldPath);
        var position = Position(record, timestamp);
        return new RuleViolationException(_expectation.RecordRules[index].Name, fieldPath, position,
            $"{char.ToUpperInvariant(reason[0])}{reason[1..]}, at {position} of operator '{_context.OperatorName}'. The rule's action is Fail, so the job stops: fix the input, or give the rule the action DeadLetter or Warn.");
    }

    /// <summary>Where stream rule <c>index</c> reports: counts it, emits violations, fails the job for a Fail rule.</summary>
    private sealed class StreamVerdicts(ExpectationRunner<T> runner, int index) : IStreamVerdicts
    {
        public void Pass() => runner._counts.Passed[runner._streamBase + index]++;

        public void Fail(long start, long end, double observed, string reason)
        {
            runner._counts.Failed[runner._streamBase + index]++;
            var rule = runner._expectation.StreamRules[index];
            var context = runner._context;
            if (rule.Action == RuleAction.Fail)
            {
                runner.Flush();
                throw new RuleViolationException(rule.Name, null, $"[{EventTime.Format(start)}, {EventTime.Format(end)})",
                    $"{char.ToUpperInvariant(reason[0])}{reason[1..]} (operator '{context.OperatorName}', subtask {context.SubtaskIndex}). The rule's action is Fail, so the job stops.");
            }
            runner._output.CollectSide(QualityViolations.Tag,
                new QualityViolation(rule.Name, rule.Kind, context.OperatorName, context.SubtaskIndex, start, end, observed, reason), EventTime.NoTimestamp);
        }
    }
}
