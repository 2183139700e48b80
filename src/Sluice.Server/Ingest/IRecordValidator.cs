namespace Sluice.Server.Ingest;

/// <summary>
/// Checks one ingested record before it is appended: a topic has a validator only when one is set with
/// <see cref="IngestValidators.Set"/> (the registry's schemas check records through <see cref="IRecordEncoder"/>
/// instead, when a request names a format; a validator runs first). Implementations are called for every record from
/// many request threads at once: they must be thread-safe and should not allocate on success.
/// </summary>
internal interface IRecordValidator
{
    /// <summary>Whether <paramref name="json"/> (one JSON object, already known to be well-formed) is a valid record;
    /// when not, the field at fault (null when none is) and the problem as a phrase ("field 'user' is missing").</summary>
    bool TryValidate(ReadOnlySpan<byte> json, out string? field, out string? problem);
}
