namespace Sluice;

/// <summary>
/// A record the pipeline could not process, kept with why and where, so nothing is silently dropped. Routed to a
/// dead-letter side output (and from there to a DLQ topic or table).
/// </summary>
/// <param name="Source">Where the record came from (source or operator name).</param>
/// <param name="Position">Where in the source (file:line, topic/partition/offset).</param>
/// <param name="Reason">One sentence: what is wrong, naming the field when known.</param>
/// <param name="Payload">The original bytes as text (truncated for very large payloads).</param>
/// <param name="FieldPath">
/// The path of the field at fault when a format knows it (<c>address.zip</c>, <c>tags[2]</c>,
/// <c>attributes['color']</c>); null when the whole record is at fault or the path is unknown. The reason names it too.
/// </param>
public sealed record DeadLetter(string Source, string Position, string Reason, string Payload, string? FieldPath = null);

/// <summary>The well-known side output every built-in source and parser routes dead letters to.</summary>
public static class DeadLetters
{
    /// <summary>Side output of records that could not be read or parsed. Read it with <c>GetSideOutput(DeadLetters.Tag)</c>.</summary>
    public static OutputTag<DeadLetter> Tag { get; } = new("dead-letters");

    /// <summary>Cuts <paramref name="payload"/> to at most <paramref name="maxChars"/> characters, marking the cut.</summary>
    public static string Truncate(string payload, int maxChars = 4096) =>
        payload.Length <= maxChars ? payload : string.Concat(payload.AsSpan(0, maxChars), "…");
}
