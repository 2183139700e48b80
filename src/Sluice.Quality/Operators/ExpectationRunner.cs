using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
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
    private long _records;
    private int _unflushed;
    private IListState<byte[]>? _streamState;

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
    public void Process(T value, long timestamp)
    {
        var refusing = Judge(value, timestamp, out var outcome);
        if (refusing < 0)
        {
            _output.Collect(value, timestamp);
        }
        else
        {
            Exit(refusing, value, timestamp, outcome);
        }
    }

    /// <summary>
    /// Judges one record and counts the verdicts, but emits nothing: returns -1 when the record stays in the stream (the
    /// caller emits it, alone or in a run with its neighbours), or the index of the first rule that takes it out, with
    /// that rule's <paramref name="outcome"/>; the caller then calls <see cref="Exit"/> with them. Warn rules that
    /// refuse the record only count. Allocates nothing.
    /// </summary>
    /// <remarks>Only failures are counted per record; a rule's passes are derived in <see cref="Flush"/> from the records
    /// that reached it (every record, less those an earlier rule took out of the stream).</remarks>
    public int Judge(T value, long timestamp, out CheckOutcome outcome)
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
            outcome = checks[i].Check(value, timestamp);
            if (outcome == CheckOutcome.Pass)
            {
                continue;
            }
            _counts.Failed[i]++;
            if (ActionOn(i, outcome) == RuleAction.Warn)
            {
                continue;
            }
            _exits[i]++;
            return i;
        }
        outcome = CheckOutcome.Pass;
        return -1;
    }

    /// <summary>
    /// Takes the record <see cref="Judge"/> refused by rule <paramref name="index"/> out of the stream: drops it,
    /// dead-letters it with the rule's reason, or (action Fail) flushes the counts and throws a
    /// <see cref="RuleViolationException"/>.
    /// </summary>
    public void Exit(int index, T value, long timestamp, CheckOutcome outcome)
    {
        switch (ActionOn(index, outcome))
        {
            case RuleAction.Drop:
                return;
            case RuleAction.DeadLetter:
                _output.CollectSide(DeadLetters.Tag, Letter(index, value, timestamp, outcome), timestamp);
                return;
            default:
                Flush();
                ThrowFailed(index, value, timestamp, outcome);
                return;
        }
    }

    /// <summary>What rule <paramref name="index"/> does with a record it refused: its action, but a record no rule could evaluate is dead-lettered unless the action is Fail.</summary>
    private RuleAction ActionOn(int index, CheckOutcome outcome)
    {
        var action = _actions[index];
        return outcome == CheckOutcome.Error && action != RuleAction.Fail ? RuleAction.DeadLetter : action;
    }

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

    private string Position(long timestamp) =>
        $"input record {_records} of subtask {_context.SubtaskIndex}" + (timestamp == EventTime.NoTimestamp ? "" : $", event time {EventTime.Format(timestamp)}");

    private string Reason(int index, T value, CheckOutcome outcome, out string? fieldPath)
    {
        var rule = _expectation.RecordRules[index];
        fieldPath = rule.FieldPathOf(value);
        var explanation = _checks[index].Explain(value, outcome);
        return fieldPath is null
            ? $"rule '{rule.Name}' ({rule.Describe()}) failed: {explanation}"
            : $"rule '{rule.Name}' ({rule.Describe()}) failed on field '{fieldPath}': {explanation}";
    }

    private DeadLetter Letter(int index, T value, long timestamp, CheckOutcome outcome)
    {
        var reason = Reason(index, value, outcome, out var fieldPath);
        var payload = _expectation.Payload is { } format ? format(value) : value?.ToString() ?? "null";
        return new DeadLetter(_context.OperatorName, Position(timestamp), reason, DeadLetters.Truncate(payload), fieldPath)
        {
            Kind = DeadLetterKind.Rule,
            Rule = _expectation.RecordRules[index].Name,
            Operator = _context.OperatorName,
            Job = _context.JobName,
            EventTime = timestamp,
            Origin = _expectation.Origin?.Invoke(value),
        };
    }

    [DoesNotReturn]
    private void ThrowFailed(int index, T value, long timestamp, CheckOutcome outcome)
    {
        var reason = Reason(index, value, outcome, out var fieldPath);
        var position = Position(timestamp);
        throw new RuleViolationException(_expectation.RecordRules[index].Name, fieldPath, position,
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
