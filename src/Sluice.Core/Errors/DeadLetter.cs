namespace Sluice;

/// <summary>
/// A record the pipeline could not process, kept with why and where, so nothing is silently dropped. Routed to a
/// dead-letter side output (<see cref="DeadLetters.Tag"/>) and from there to a dead-letter topic <c>&lt;source&gt;.dlq</c>
/// or table. One envelope for every place a record can fail (<see cref="DeadLetterKind"/>): the positional members say
/// what every producer knows; the init-only members add what the producer knows beyond that, and whatever writes the
/// letter to its topic fills in the job.
/// </summary>
/// <param name="Source">Where the record came from: a connector and its input (<c>kafka:orders</c>, a file path), or the operator.</param>
/// <param name="Position">Where in the source (<c>line 3</c>, <c>orders/0/17</c>, <c>row at event time …</c>).</param>
/// <param name="Reason">One sentence: what is wrong, naming the rule and field when known.</param>
/// <param name="Payload">The original record as text (truncated for very large payloads, see <see cref="DeadLetters.Truncate"/>).</param>
/// <param name="FieldPath">
/// The path of the field at fault when a format knows it (<c>address.zip</c>, <c>tags[2]</c>,
/// <c>attributes['color']</c>); null when the whole record is at fault or the path is unknown. The reason names it too.
/// </param>
public sealed record DeadLetter(string Source, string Position, string Reason, string Payload, string? FieldPath = null)
{
    /// <summary>At which stage the record failed (default <see cref="DeadLetterKind.Parse"/>).</summary>
    public DeadLetterKind Kind { get; init; } = DeadLetterKind.Parse;

    /// <summary>The rule that refused the record (an expectation's name), or null when no named rule did.</summary>
    public string? Rule { get; init; }

    /// <summary>The operator that refused the record (its uid or name), or null for a source.</summary>
    public string? Operator { get; init; }

    /// <summary>The job that refused the record, or null until the dead-letter writer fills it in.</summary>
    public string? Job { get; init; }

    /// <summary>The record's position in its input topic, when it came from one (replay appends it back there); else null.</summary>
    public RecordOrigin? Origin { get; init; }

    /// <summary>The record's event time, Unix milliseconds, or <see cref="EventTime.NoTimestamp"/> when it has none (yet).</summary>
    public long EventTime { get; init; } = Sluice.EventTime.NoTimestamp;

    /// <summary>When the record entered the platform (its log or broker timestamp), Unix milliseconds, or <see cref="Sluice.EventTime.NoTimestamp"/>.</summary>
    public long IngestTime { get; init; } = Sluice.EventTime.NoTimestamp;

    /// <summary>How many times the record has been processed: 1, plus one per replay from a dead-letter topic.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>
    /// The original value bytes, untruncated, when the producer has them (a source that could not decode them); null
    /// when the record only exists as the text in <see cref="Payload"/>. Owned by the letter: never mutated.
    /// </summary>
    public byte[]? Original { get; init; }

    /// <summary>The original key bytes, when the input record had a key; else null. Owned by the letter.</summary>
    public byte[]? OriginalKey { get; init; }
}

/// <summary>At which stage a record failed; the <see cref="DeadLetter.Kind"/> of its dead letter.</summary>
public enum DeadLetterKind
{
    /// <summary>It could not be read or decoded (malformed JSON, a bad magic byte, an unknown schema id).</summary>
    Parse,

    /// <summary>It decoded but does not conform to the schema (a missing required field, a wrong type, an incompatible change).</summary>
    Schema,

    /// <summary>A data-quality rule refused it (see <see cref="DeadLetter.Rule"/>).</summary>
    Rule,

    /// <summary>A sink refused to write it.</summary>
    Sink,

    /// <summary>It arrived after its window closed, and late data is routed to the dead-letter queue.</summary>
    Late,

    /// <summary>An operator failed on it (an expression error: division by zero, a failed cast).</summary>
    Processing,
}

/// <summary>
/// Which topic a record belongs to (embedded log or Kafka) and, when known, its position there. A record refused before
/// it was appended (by HTTP ingest) has a topic but no position.
/// </summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition (≥ 0), or -1 when the record has no position.</param>
/// <param name="Offset">The offset in that partition (≥ 0), or -1 when the record has no position.</param>
public readonly record struct RecordOrigin(string Topic, int Partition = -1, long Offset = -1)
{
    /// <summary>Whether the record has a position (partition and offset).</summary>
    public bool HasPosition => Partition >= 0 && Offset >= 0;

    /// <summary><c>topic/partition/offset</c>, or the topic alone without a position.</summary>
    public override string ToString() => HasPosition ? $"{Topic}/{Partition}/{Offset}" : Topic;
}

/// <summary>The well-known side output every built-in source and parser routes dead letters to.</summary>
public static class DeadLetters
{
    /// <summary>Side output of records that could not be read or parsed. Read it with <c>GetSideOutput(DeadLetters.Tag)</c>.</summary>
    public static OutputTag<DeadLetter> Tag { get; } = new("dead-letters");

    /// <summary>The suffix of a dead-letter topic's or table's name: the dead letters of <c>orders</c> go to <c>orders.dlq</c>.</summary>
    public const string TopicSuffix = ".dlq";

    /// <summary>The dead-letter topic (or table) of <paramref name="source"/>: <c>&lt;source&gt;.dlq</c>.</summary>
    public static string TopicFor(string source)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        return source + TopicSuffix;
    }

    /// <summary>Whether <paramref name="topic"/> is a dead-letter topic (ends in <see cref="TopicSuffix"/>, with a name before it).</summary>
    public static bool IsDeadLetterTopic(string topic) =>
        topic.EndsWith(TopicSuffix, StringComparison.Ordinal) && topic.Length > TopicSuffix.Length;

    /// <summary>Cuts <paramref name="payload"/> to at most <paramref name="maxChars"/> characters, marking the cut.</summary>
    public static string Truncate(string payload, int maxChars = 4096) =>
        payload.Length <= maxChars ? payload : string.Concat(payload.AsSpan(0, maxChars), "…");
}
