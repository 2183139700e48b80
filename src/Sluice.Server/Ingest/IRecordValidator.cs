namespace Sluice.Server.Ingest;

/// <summary>
/// Checks one ingested record against its topic's schema before it is appended. Until the schema registry arrives
/// (issue 16) the server has no schemas to check against, so no topic has a validator unless one is set with
/// <see cref="IngestValidators.Set"/>; this is the seam the registry will fill. Implementations are called for every
/// record from many request threads at once: they must be thread-safe and should not allocate on success.
/// </summary>
internal interface IRecordValidator
{
    /// <summary>Whether <paramref name="json"/> (one JSON object, already known to be well-formed) is a valid record;
    /// when not, the field at fault (null when none is) and the problem as a phrase ("field 'user' is missing").</summary>
    bool TryValidate(ReadOnlySpan<byte> json, out string? field, out string? problem);
}
