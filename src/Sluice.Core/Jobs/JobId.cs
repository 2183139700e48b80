using System.Diagnostics.CodeAnalysis;

namespace Sluice;

/// <summary>
/// Identifies one submitted run of a job: assigned when the job is submitted (<c>JobClient.Id</c>), unique per
/// submission (two runs of the same job have different ids), and stable across the run's restarts. Written as 32
/// lowercase hex digits (<see cref="ToString"/>), which <see cref="Parse(string)"/> reads back. Logs, metrics
/// (the <c>job.id</c> tag) and the job registry name a job by it. Immutable.
/// </summary>
/// <param name="Value">The underlying GUID.</param>
public readonly record struct JobId(Guid Value) : IParsable<JobId>
{
    /// <summary>A new random id.</summary>
    public static JobId New() => new(Guid.NewGuid());

    /// <summary>The id as 32 lowercase hex digits, without dashes or braces.</summary>
    public override string ToString() => Value.ToString("N");

    /// <summary>Reads an id written by <see cref="ToString"/> (32 hex digits, either case).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException"><paramref name="text"/> is not 32 hex digits.</exception>
    public static JobId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var id)
            ? id
            : throw new FormatException($"'{text}' is not a job id: expected 32 hex digits, as JobId.ToString() writes them.");
    }

    /// <summary>Reads an id written by <see cref="ToString"/>; false when <paramref name="text"/> is null or not 32 hex digits.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out JobId id)
    {
        if (text is { Length: 32 } && Guid.TryParseExact(text, "N", out var value))
        {
            id = new JobId(value);
            return true;
        }
        id = default;
        return false;
    }

    /// <inheritdoc cref="Parse(string)" />
    static JobId IParsable<JobId>.Parse(string s, IFormatProvider? provider) => Parse(s);

    /// <inheritdoc cref="TryParse(string?, out JobId)" />
    static bool IParsable<JobId>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out JobId result) => TryParse(s, out result);
}
