using System.Text.RegularExpressions;
using Sluice.Operators;

namespace Sluice.Quality.Rules;

/// <summary>
/// regex: the field's text matches <c>pattern</c> (anywhere, as <see cref="Regex.IsMatch(string)"/>; anchor it with
/// <c>^…$</c>); a null passes. Every match has a timeout. A subtask first matches on .NET's compiled backtracking engine,
/// the fastest on the patterns validation uses; when one of its matches runs out of time, the subtask re-judges that
/// value and every later one on the non-backtracking engine, whose time is linear in the input, if the pattern allows
/// it (no backreferences, lookarounds or atomic groups). So a pattern that backtracks catastrophically costs one timeout
/// per subtask and gives true verdicts after it. A match that runs out of time on the engine it ends on (a pattern the
/// linear engine cannot run) counts as a failure whose reason says so, and the task goes on. A whole-text pattern of
/// simple single-character items (<c>^[a-z0-9]+@[a-z]+\.[a-z]+$</c>) is matched by an <see cref="AnchoredPatternMatcher"/>
/// instead, which gives the same verdicts in linear time without the engine's per-match set-up, so it needs no timeout.
/// </summary>
internal sealed class RegexRule<T> : RecordRule<T>
{
    /// <summary>The match timeout when none is given.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(100);

    private readonly FieldAccessor<T, string> _field;
    private readonly Regex _backtracking;
    private readonly Regex? _linear;
    private readonly AnchoredPatternMatcher? _simple;
    private readonly string _pattern;

    public RegexRule(string name, string fieldPath, FieldAccessor<T, string> field, string pattern, TimeSpan? timeout, RuleAction action)
        : base(name, fieldPath, RuleKind.Regex, action)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var budget = timeout ?? DefaultTimeout;
        if (budget <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, $"Rule '{name}': the match timeout must be positive.");
        }
        _field = field;
        _pattern = pattern;
        Timeout = budget;
        _simple = AnchoredPatternMatcher.TryCreate(pattern);
        try
        {
            // Built either way, so an invalid pattern fails here; compiled (and warmed up) only when the checks use it.
            _backtracking = new Regex(pattern, RegexOptions.CultureInvariant | (_simple is null ? RegexOptions.Compiled : RegexOptions.None), budget);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Rule '{name}': /{pattern}/ is not a valid regular expression: {e.Message}", nameof(pattern), e);
        }
        if (_simple is not null)
        {
            return; // matched without the engine: no timeout, so no linear fallback either
        }
        WarmUp(_backtracking);
        try
        {
            _linear = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, budget);
        }
        catch (NotSupportedException)
        {
            _linear = null;
        }
    }

    /// <summary>
    /// Runs the compiled engine once on an empty text, so that the JIT compiles its code now rather than inside the first
    /// record's match, where under load it could eat the whole timeout of that match.
    /// </summary>
    private static void WarmUp(Regex regex)
    {
        try
        {
            regex.IsMatch(string.Empty);
        }
        catch (RegexMatchTimeoutException)
        {
            // The warm-up's own verdict does not matter; only its compilation does.
        }
    }

    /// <summary>The time one match may take.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Whether the pattern is matched without the regex engine (see <see cref="AnchoredPatternMatcher"/>).</summary>
    public bool IsSimple => _simple is not null;

    /// <summary>Whether the pattern can run on the non-backtracking (linear-time) engine after a timeout.</summary>
    public bool HasLinearFallback => _linear is not null;

    public override string Describe() => $"regex /{_pattern}/";

    public override RecordCheck<T> CreateCheck() => new RegexCheck(this);

    /// <summary>One subtask's matching: the engine it is on (backtracking until a timeout, then linear when it can).</summary>
    private sealed class RegexCheck(RegexRule<T> rule) : RecordCheck<T>
    {
        private readonly FieldAccessor<T, string> _field = rule._field;
        private readonly AnchoredPatternMatcher? _simple = rule._simple;
        private Regex _regex = rule._backtracking;
        private KeyValuePair<string, object?>[] _tags = [];

        public override void Open(IStreamOperatorContext context) =>
            _tags = [new("job", context.JobName), new("job.id", context.JobId.ToString()), new("operator", context.OperatorName), new("rule", rule.Name)];

        public override CheckOutcome Check(T value, long timestamp)
        {
            if (!_field.TryRead(value, out var text))
            {
                return CheckOutcome.Pass;
            }
            if (_simple is { } simple)
            {
                return simple.IsMatch(text) ? CheckOutcome.Pass : CheckOutcome.Fail;
            }
            try
            {
                return _regex.IsMatch(text) ? CheckOutcome.Pass : CheckOutcome.Fail;
            }
            catch (RegexMatchTimeoutException)
            {
                return Fallback(text);
            }
        }

        public override string Explain(T value, CheckOutcome outcome)
        {
            _field.TryRead(value, out var text);
            return outcome == CheckOutcome.TimedOut
                ? $"matching value {Show(text)} against /{rule._pattern}/ timed out after {rule.Timeout.TotalMilliseconds:0} ms (counted as a failure)"
                : $"value {Show(text)} does not match /{rule._pattern}/";
        }

        /// <summary>A match timed out on the current engine: moves to the linear one, if there is one and it is not in use yet.</summary>
        private CheckOutcome Fallback(string text)
        {
            QualityMetrics.RegexTimeouts.Add(1, _tags);
            if (rule._linear is not { } linear || ReferenceEquals(_regex, linear))
            {
                return CheckOutcome.TimedOut;
            }
            _regex = linear;
            try
            {
                return linear.IsMatch(text) ? CheckOutcome.Pass : CheckOutcome.Fail;
            }
            catch (RegexMatchTimeoutException)
            {
                QualityMetrics.RegexTimeouts.Add(1, _tags);
                return CheckOutcome.TimedOut;
            }
        }
    }
}
