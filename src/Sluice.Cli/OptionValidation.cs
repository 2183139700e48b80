using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace Sluice.Cli;

/// <summary>
/// The validators every command puts on its options. Each adds one System.CommandLine validator, so an out-of-range
/// value is a parse error (exit code 2, nothing runs) whose message is one sentence naming the option and the
/// accepted range, e.g. <c>--kills must be between 0 and 10000 (got -1).</c> Default values are not checked: they
/// must lie in the range. Every method returns the option, so a declaration reads
/// <c>new Option&lt;int&gt;("--kills") { … }.MustBeBetween(0, 10_000)</c>.
/// </summary>
internal static class OptionValidation
{
    /// <summary>Accepts <paramref name="min"/> ≤ value ≤ <paramref name="max"/> (NaN never); <c>T.MaxValue</c> as max reads "at least".</summary>
    public static Option<T> MustBeBetween<T>(this Option<T> option, T min, T max)
        where T : struct, INumber<T>, IMinMaxValue<T>
    {
        option.Validators.Add(result =>
        {
            if (TryGetValue(result, out T value))
            {
                Check(result, value, min, max);
            }
        });
        return option;
    }

    /// <inheritdoc cref="MustBeBetween{T}(Option{T}, T, T)"/>
    public static Option<T?> MustBeBetween<T>(this Option<T?> option, T min, T max)
        where T : struct, INumber<T>, IMinMaxValue<T>
    {
        option.Validators.Add(result =>
        {
            if (TryGetValue(result, out T? value) && value is { } present)
            {
                Check(result, present, min, max);
            }
        });
        return option;
    }

    /// <summary>Accepts <paramref name="min"/> ≤ value (same as <see cref="MustBeBetween{T}(Option{T}, T, T)"/> up to <c>T.MaxValue</c>).</summary>
    public static Option<T> MustBeAtLeast<T>(this Option<T> option, T min)
        where T : struct, INumber<T>, IMinMaxValue<T> => option.MustBeBetween(min, T.MaxValue);

    /// <inheritdoc cref="MustBeAtLeast{T}(Option{T}, T)"/>
    public static Option<T?> MustBeAtLeast<T>(this Option<T?> option, T min)
        where T : struct, INumber<T>, IMinMaxValue<T> => option.MustBeBetween(min, T.MaxValue);

    /// <summary>Accepts 0 &lt; value ≤ <paramref name="max"/> (a rate or an interval, where 0 would mean "off" or divide by zero).</summary>
    public static Option<double?> MustBePositive(this Option<double?> option, double max)
    {
        option.Validators.Add(result =>
        {
            if (TryGetValue(result, out double? parsed) && parsed is { } value && !(value > 0 && value <= max))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{result.Option.Name} must be greater than 0 and at most {max} (got {value})."));
            }
        });
        return option;
    }

    /// <summary>
    /// Accepts values <paramref name="isValid"/> approves; otherwise the error is
    /// "<c>&lt;option&gt; &lt;expected&gt; (got '&lt;value&gt;').</c>", e.g. <c>expected</c> = "must name an existing file".
    /// </summary>
    public static Option<T> MustSatisfy<T>(this Option<T> option, Func<T, bool> isValid, string expected)
    {
        option.Validators.Add(result =>
        {
            if (!result.Implicit && TryGetValue(result, out T parsed) && parsed is { } value && !isValid(value))
            {
                result.AddError($"{result.Option.Name} {expected} (got '{value}').");
            }
        });
        return option;
    }

    /// <summary>
    /// The option's value, or false when its text did not convert (System.CommandLine runs validators even then, and
    /// reports the conversion error itself: "Cannot parse argument 'abc' for option '--kills'…").
    /// </summary>
    private static bool TryGetValue<T>(OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    private static void Check<T>(OptionResult result, T value, T min, T max)
        where T : struct, INumber<T>, IMinMaxValue<T>
    {
        if (result.Implicit || (value >= min && value <= max))
        {
            return;
        }

        string range = max == T.MaxValue
            ? string.Create(CultureInfo.InvariantCulture, $"at least {min}")
            : string.Create(CultureInfo.InvariantCulture, $"between {min} and {max}");
        result.AddError(string.Create(CultureInfo.InvariantCulture, $"{result.Option.Name} must be {range} (got {value})."));
    }
}
