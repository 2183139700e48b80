using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Sluice.Formats;

/// <summary>
/// How a <see cref="DeadLetter"/> is laid out as a message of a dead-letter topic (<c>&lt;source&gt;.dlq</c>, embedded
/// log or Kafka), for every producer (sources, rules, sinks, HTTP ingest) and every reader (<c>sluice dlq</c>, the
/// server's browser, replay). The value is the original record, byte for byte (<see cref="DeadLetter.Original"/>, else
/// the UTF-8 of <see cref="DeadLetter.Payload"/>); the key is the original key, if any; the headers hold the rest, as
/// UTF-8 text:
/// <list type="table">
/// <item><term><see cref="VersionHeader"/></term><description>the layout version, <see cref="Version"/> (decimal)</description></item>
/// <item><term><see cref="ReasonHeader"/></term><description>why, naming rule and field</description></item>
/// <item><term><see cref="KindHeader"/></term><description><c>parse</c>, <c>schema</c>, <c>rule</c>, <c>sink</c>, <c>late</c>, <c>processing</c></description></item>
/// <item><term><see cref="OriginTopicHeader"/></term><description>the topic the record came from or was meant for (replay appends it there)</description></item>
/// <item><term><see cref="OriginPartitionHeader"/>, <see cref="OriginOffsetHeader"/></term><description>its position there, when known</description></item>
/// <item><term><see cref="OriginHeader"/></term><description>the job that refused it, or <c>ingest</c></description></item>
/// <item><term><see cref="LocationHeader"/></term><description><see cref="DeadLetter.Position"/></description></item>
/// <item><term><see cref="SourceHeader"/>, <see cref="OperatorHeader"/>, <see cref="RuleHeader"/>, <see cref="FieldHeader"/></term><description>the other envelope fields, each only when set</description></item>
/// <item><term><see cref="EventTimeHeader"/>, <see cref="IngestTimeHeader"/></term><description>Unix milliseconds, when known</description></item>
/// <item><term><see cref="AttemptHeader"/></term><description>1, plus one per replay</description></item>
/// </list>
/// Version 1 (written by the server's HTTP ingest before issue 17) had only version, reason, origin-topic, origin and
/// location; <see cref="Read"/> reads both. A layout change bumps <see cref="Version"/> and keeps reading the old ones.
/// </summary>
public static class DeadLetterEnvelope
{
    /// <summary>The layout version this code writes.</summary>
    public const int Version = 2;

    /// <summary>Header: the layout version.</summary>
    public const string VersionHeader = "sluice.dlq.version";

    /// <summary>Header: <see cref="DeadLetter.Reason"/>.</summary>
    public const string ReasonHeader = "sluice.dlq.reason";

    /// <summary>Header: <see cref="DeadLetter.Kind"/>, lower case.</summary>
    public const string KindHeader = "sluice.dlq.kind";

    /// <summary>Header: the topic of <see cref="DeadLetter.Origin"/>.</summary>
    public const string OriginTopicHeader = "sluice.dlq.origin-topic";

    /// <summary>Header: the partition of <see cref="DeadLetter.Origin"/>.</summary>
    public const string OriginPartitionHeader = "sluice.dlq.origin-partition";

    /// <summary>Header: the offset of <see cref="DeadLetter.Origin"/>.</summary>
    public const string OriginOffsetHeader = "sluice.dlq.origin-offset";

    /// <summary>Header: <see cref="DeadLetter.Job"/> (<c>ingest</c> for the server's HTTP ingest).</summary>
    public const string OriginHeader = "sluice.dlq.origin";

    /// <summary>Header: <see cref="DeadLetter.Position"/>.</summary>
    public const string LocationHeader = "sluice.dlq.location";

    /// <summary>Header: <see cref="DeadLetter.Source"/>.</summary>
    public const string SourceHeader = "sluice.dlq.source";

    /// <summary>Header: <see cref="DeadLetter.Operator"/>.</summary>
    public const string OperatorHeader = "sluice.dlq.operator";

    /// <summary>Header: <see cref="DeadLetter.Rule"/>.</summary>
    public const string RuleHeader = "sluice.dlq.rule";

    /// <summary>Header: <see cref="DeadLetter.FieldPath"/>.</summary>
    public const string FieldHeader = "sluice.dlq.field";

    /// <summary>Header: <see cref="DeadLetter.EventTime"/>.</summary>
    public const string EventTimeHeader = "sluice.dlq.event-time";

    /// <summary>Header: <see cref="DeadLetter.IngestTime"/>.</summary>
    public const string IngestTimeHeader = "sluice.dlq.ingest-time";

    /// <summary>Header: <see cref="DeadLetter.Attempt"/>.</summary>
    public const string AttemptHeader = "sluice.dlq.attempt";

    /// <summary>
    /// Header of a record that replay appended back to a topic (not of a dead letter): the dead letter it is a copy of,
    /// <c>&lt;dead-letter topic&gt;/&lt;partition&gt;/&lt;offset&gt;</c>. Replay finds these to append each dead letter once.
    /// </summary>
    public const string ReplayOfHeader = "sluice.replay.of";

    /// <summary>
    /// Header of a record that replay appended back to a topic: its attempt (the dead letter's <see cref="DeadLetter.Attempt"/>
    /// + 1, decimal), which a source copies into the dead letter if the record fails again.
    /// </summary>
    public const string ReplayAttemptHeader = "sluice.replay.attempt";

    /// <summary>The value of <see cref="OriginHeader"/> for records the server's HTTP ingest refused.</summary>
    public const string IngestOrigin = "ingest";

    /// <summary>
    /// A serializer writing dead letters in this layout. A letter without <see cref="DeadLetter.Job"/> gets
    /// <paramref name="job"/>; one without <see cref="DeadLetter.Origin"/> gets <paramref name="originTopic"/> as its
    /// origin topic (with no position), so replay knows where it belongs.
    /// </summary>
    /// <param name="job">The job writing the letters, or null.</param>
    /// <param name="originTopic">The topic the letters' records belong to when they do not say, or null.</param>
    public static IMessageSerializer<DeadLetter> Serializer(string? job = null, string? originTopic = null) => new EnvelopeSerializer(job, originTopic);

    /// <summary>A deserializer reading dead letters of layout 1 or 2 (<see cref="Read"/>); a letter of a newer layout is an error.</summary>
    public static IMessageDeserializer<DeadLetter> Deserializer() => EnvelopeDeserializer.Instance;

    /// <summary>The value bytes of <paramref name="letter"/>: the original record.</summary>
    public static byte[] Value(DeadLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        return letter.Original ?? Encoding.UTF8.GetBytes(letter.Payload);
    }

    /// <summary>The headers of <paramref name="letter"/> in this layout (<see cref="Version"/>), optional ones only when set.</summary>
    public static IReadOnlyList<MessageHeader> Headers(DeadLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var headers = new List<MessageHeader>(14)
        {
            Text(VersionHeader, Version.ToString(CultureInfo.InvariantCulture)),
            Text(ReasonHeader, letter.Reason),
            Text(KindHeader, KindName(letter.Kind)),
        };
        if (letter.Origin is { } origin)
        {
            headers.Add(Text(OriginTopicHeader, origin.Topic));
            if (origin.HasPosition)
            {
                headers.Add(Text(OriginPartitionHeader, origin.Partition.ToString(CultureInfo.InvariantCulture)));
                headers.Add(Text(OriginOffsetHeader, origin.Offset.ToString(CultureInfo.InvariantCulture)));
            }
        }
        Optional(headers, OriginHeader, letter.Job);
        headers.Add(Text(LocationHeader, letter.Position));
        headers.Add(Text(SourceHeader, letter.Source));
        Optional(headers, OperatorHeader, letter.Operator);
        Optional(headers, RuleHeader, letter.Rule);
        Optional(headers, FieldHeader, letter.FieldPath);
        if (letter.EventTime != EventTime.NoTimestamp)
        {
            headers.Add(Text(EventTimeHeader, letter.EventTime.ToString(CultureInfo.InvariantCulture)));
        }
        if (letter.IngestTime != EventTime.NoTimestamp)
        {
            headers.Add(Text(IngestTimeHeader, letter.IngestTime.ToString(CultureInfo.InvariantCulture)));
        }
        headers.Add(Text(AttemptHeader, letter.Attempt.ToString(CultureInfo.InvariantCulture)));
        return headers;
    }

    /// <summary>
    /// Reads a dead letter from a message of a dead-letter topic. Layout 1 has no kind, source or field: the letter's
    /// kind is <see cref="DeadLetterKind.Parse"/> and its source is the origin (<c>ingest</c>). The message's own
    /// timestamp becomes the ingest time when the header is missing.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="letter">The letter, when the method returns true.</param>
    /// <param name="error">Why the message is not a dead letter of a known layout, when it returns false.</param>
    public static bool Read(in MessageView message, [NotNullWhen(true)] out DeadLetter? letter, [NotNullWhen(false)] out FormatError? error)
    {
        letter = null;
        if (!message.TryGetHeader(VersionHeader, out var versionBytes) || !int.TryParse(versionBytes, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            error = new FormatError($"Message {message.Topic}/{message.Partition}/{message.Offset} is not a dead letter: header '{VersionHeader}' is missing or not a number.");
            return false;
        }
        if (version is < 1 or > Version)
        {
            error = new FormatError($"Message {message.Topic}/{message.Partition}/{message.Offset} is a dead letter of layout {version}; this version of Sluice reads layouts 1 to {Version}.");
            return false;
        }
        var payload = message.HasValue ? message.Value.ToArray() : [];
        var job = HeaderText(message, OriginHeader);
        var location = HeaderText(message, LocationHeader) ?? "";
        RecordOrigin? origin = null;
        if (HeaderText(message, OriginTopicHeader) is { } originTopic)
        {
            origin = HeaderNumber(message, OriginPartitionHeader) is { } partition && HeaderNumber(message, OriginOffsetHeader) is { } offset
                ? new RecordOrigin(originTopic, checked((int)partition), offset)
                : new RecordOrigin(originTopic);
        }
        if (!TryKind(HeaderText(message, KindHeader), out var kind))
        {
            error = new FormatError($"Message {message.Topic}/{message.Partition}/{message.Offset}: header '{KindHeader}' names no dead-letter kind.");
            return false;
        }
        letter = new DeadLetter(
            HeaderText(message, SourceHeader) ?? job ?? "",
            location,
            HeaderText(message, ReasonHeader) ?? "",
            DeadLetters.Truncate(System.Text.Unicode.Utf8.IsValid(payload) ? Encoding.UTF8.GetString(payload) : Convert.ToBase64String(payload)),
            HeaderText(message, FieldHeader))
        {
            Kind = kind,
            Rule = HeaderText(message, RuleHeader),
            Operator = HeaderText(message, OperatorHeader),
            Job = job,
            Origin = origin,
            EventTime = HeaderNumber(message, EventTimeHeader) ?? EventTime.NoTimestamp,
            IngestTime = HeaderNumber(message, IngestTimeHeader) ?? message.TimestampMs,
            Attempt = (int)(HeaderNumber(message, AttemptHeader) ?? 1),
            Original = payload,
            OriginalKey = message.HasKey ? message.Key.ToArray() : null,
        };
        error = null;
        return true;
    }

    /// <summary>The header text of <paramref name="kind"/>: its name in lower case.</summary>
    public static string KindName(DeadLetterKind kind) => kind switch
    {
        DeadLetterKind.Parse => "parse",
        DeadLetterKind.Schema => "schema",
        DeadLetterKind.Rule => "rule",
        DeadLetterKind.Sink => "sink",
        DeadLetterKind.Late => "late",
        DeadLetterKind.Processing => "processing",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown dead-letter kind."),
    };

    /// <summary>Parses a kind's header text (<see cref="KindName"/>); null (layout 1) is <see cref="DeadLetterKind.Parse"/>.</summary>
    public static bool TryKind(string? text, out DeadLetterKind kind)
    {
        kind = text switch
        {
            null or "parse" => DeadLetterKind.Parse,
            "schema" => DeadLetterKind.Schema,
            "rule" => DeadLetterKind.Rule,
            "sink" => DeadLetterKind.Sink,
            "late" => DeadLetterKind.Late,
            "processing" => DeadLetterKind.Processing,
            _ => (DeadLetterKind)(-1),
        };
        return kind >= 0;
    }

    private static MessageHeader Text(string name, string value) => new(name, Encoding.UTF8.GetBytes(value));

    private static void Optional(List<MessageHeader> headers, string name, string? value)
    {
        if (value is not null)
        {
            headers.Add(Text(name, value));
        }
    }

    private static string? HeaderText(in MessageView message, string name) =>
        message.TryGetHeader(name, out var value) ? Encoding.UTF8.GetString(value) : null;

    private static long? HeaderNumber(in MessageView message, string name) =>
        message.TryGetHeader(name, out var value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    private sealed class EnvelopeSerializer(string? job, string? originTopic) : IMessageSerializer<DeadLetter>
    {
        public bool TryWriteKey(DeadLetter value, IBufferWriter<byte> key)
        {
            if (value.OriginalKey is null)
            {
                return false;
            }
            key.Write(value.OriginalKey);
            return true;
        }

        public bool TryWriteValue(DeadLetter value, IBufferWriter<byte> destination)
        {
            if (value.Original is { } original)
            {
                destination.Write(original);
            }
            else
            {
                var span = destination.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Payload.Length));
                destination.Advance(Encoding.UTF8.GetBytes(value.Payload, span));
            }
            return true;
        }

        public IReadOnlyList<MessageHeader>? GetHeaders(DeadLetter value) => Headers(Complete(value));

        private DeadLetter Complete(DeadLetter value) =>
            (value.Job is null && job is not null) || (value.Origin is null && originTopic is not null)
                ? value with { Job = value.Job ?? job, Origin = value.Origin ?? (originTopic is null ? null : new RecordOrigin(originTopic)) }
                : value;
    }

    private sealed class EnvelopeDeserializer : IMessageDeserializer<DeadLetter>
    {
        public static readonly EnvelopeDeserializer Instance = new();

        public bool TryDeserialize(in MessageView message, [MaybeNullWhen(false)] out DeadLetter value, [NotNullWhen(false)] out FormatError? error) =>
            Read(message, out value, out error);
    }
}
