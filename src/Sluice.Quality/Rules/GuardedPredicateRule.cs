namespace Sluice.Quality.Rules;

/// <summary>
/// custom, for a predicate that may fail to evaluate (a SQL CHECK's condition): an exception
/// <paramref name="isEvaluationError"/> accepts is the outcome <see cref="CheckOutcome.Error"/> (the record is
/// dead-lettered with the error as its reason, see there) instead of failing the task; any other exception propagates.
/// </summary>
internal sealed class GuardedPredicateRule<T>(string name, string? fieldPath, Func<T, bool> predicate, Func<Exception, bool> isEvaluationError, string description, RuleAction action)
    : RecordRule<T>(name, fieldPath, RuleKind.Custom, action)
{
    public override string Describe() => $"custom {_description}";

    public override RecordCheck<T> CreateCheck() => new GuardedCheck(this);

    /// <summary>One subtask's check: remembers the last evaluation error for <see cref="Explain"/> (task thread only).</summary>
    private sealed class GuardedCheck(GuardedPredicateRule<T> rule) : RecordCheck<T>
    {
        private string? _error;

        public override CheckOutcome Check(T value, long timestamp)
        {
            try
            {
                return rule._predicate(value) ? CheckOutcome.Pass : CheckOutcome.Fail;
            }
            catch (Exception e) when (rule._isEvaluationError(e))
            {
                _error = e.Message;
                return CheckOutcome.Error;
            }
        }

        public override string Explain(T value, CheckOutcome outcome) =>
            outcome == CheckOutcome.Error ? $"the condition could not be evaluated: {_error}" : $"{rule._description} is false";
    }

    private readonly Func<T, bool> _predicate = predicate;
    private readonly Func<Exception, bool> _isEvaluationError = isEvaluationError;
    private readonly string _description = description;
}
