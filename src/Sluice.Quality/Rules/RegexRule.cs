using System.Text.RegularExpressions;

namespace Sluice.Quality.Rules;

/// <summary>
/// regex: the field's text matches <c>pattern</c> (anywhere, as <see cref="Regex.IsMatch(string)"/>; anchor it with
/// <c>^…$</c>); a null passes. Runs on .NET's non-backtracking engine, whose time is linear in the input, whenever the
/// pattern allows it (no backreferences, lookarounds or atomic groups); otherwise on the backtracking engine. Either way
/// every match has a timeout: a match that runs out of time counts as a failure whose reason says so, and the task goes on.
/// </summary>
internal sealed class RegexRule<T> : StatelessRecordRule<T>
{
    /// <summary>The match timeout when none is given.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(100);

    private readonly FieldAccessor<T, string> _field;
    private readonly Regex _regex;
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
        try
        {
            _regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, budget);
            IsLinear = true;
        }
        catch (NotSupportedException)
        {
            _regex = Compile(name, pattern, RegexOptions.CultureInvariant, budget);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Rule '{name}': /{pattern}/ is not a valid regular expression: {e.Message}", nameof(pattern), e);
        }
    }

    /// <summary>The time one match may take.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Whether the pattern runs on the non-backtracking (linear-time) engine.</summary>
    public bool IsLinear { get; }

    public override string Describe() => $"regex /{_pattern}/";

    public override CheckOutcome Check(T value)
    {
        if (!_field.TryRead(value, out var text))
        {
            return CheckOutcome.Pass;
        }
        try
        {
            return _regex.IsMatch(text) ? CheckOutcome.Pass : CheckOutcome.Fail;
        }
        catch (RegexMatchTimeoutException)
        {
            return CheckOutcome.TimedOut;
        }
    }

    public override string Explain(T value, CheckOutcome outcome)
    {
        _field.TryRead(value, out var text);
        return outcome == CheckOutcome.TimedOut
            ? $"matching value {Show(text)} against /{_pattern}/ timed out after {Timeout.TotalMilliseconds:0} ms (counted as a failure)"
            : $"value {Show(text)} does not match /{_pattern}/";
    }

    private static Regex Compile(string name, string pattern, RegexOptions options, TimeSpan timeout)
    {
        try
        {
            return new Regex(pattern, options, timeout);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Rule '{name}': /{pattern}/ is not a valid regular expression: {e.Message}", nameof(pattern), e);
        }
    }
}
