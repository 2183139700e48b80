using System.Diagnostics.CodeAnalysis;
using Sluice.Schemas;

namespace Sluice.Formats;

/// <summary>
/// Decodes the bytes of one record (one message, one line) into a <see cref="Row"/> of <see cref="Schema"/>. Made by a
/// <see cref="RowFormat"/> for one schema and one set of options.
/// </summary>
/// <remarks>
/// <para>Contract: bad data never throws. A record that does not parse or does not match the schema returns false with
/// a <see cref="FormatError"/> naming the reason and the field path; the caller turns it into a
/// <see cref="DeadLetter"/>. With the format's <c>ignore-parse-errors</c> option a bad value of a nullable field becomes
/// null instead and is counted in <see cref="IgnoredErrorCount"/> (never silently); a record that cannot be read at all,
/// or whose bad field is NOT NULL, still fails. Exceptions are reserved for bugs.</para>
/// <para>Allocation: the returned row and the values it holds (strings, arrays, nested rows); nothing else on the
/// success path. Thread-safe: one instance may be shared by parallel readers.</para>
/// </remarks>
public interface IRowDeserializer
{
    /// <summary>The schema of the rows produced.</summary>
    Schema Schema { get; }

    /// <summary>How many bad values were turned into null because of the format's <c>ignore-parse-errors</c> option.</summary>
    long IgnoredErrorCount { get; }

    /// <summary>Decodes <paramref name="data"/>, which holds exactly one record.</summary>
    /// <param name="data">The record's bytes; only read during the call.</param>
    /// <param name="row">The decoded row (an <see cref="RowKind.Insert"/>) when the method returns true. Null with true
    /// only when the data holds no record at all (a comment line under <c>csv.allow-comments</c>).</param>
    /// <param name="error">Why the record cannot be decoded, when the method returns false.</param>
    /// <returns>True when decoded (or when there is no record to decode).</returns>
    bool TryDeserialize(ReadOnlySpan<byte> data, out Row? row, [NotNullWhen(false)] out FormatError? error);
}
