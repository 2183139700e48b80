namespace Sluice.Formats;

/// <summary>Who set a message's timestamp, as Kafka reports it.</summary>
public enum MessageTimestampType
{
    /// <summary>The message has no timestamp.</summary>
    NotAvailable,

    /// <summary>The producer set it (the embedded log reports every timestamp as this: it does not record whether its clock filled it in).</summary>
    CreateTime,

    /// <summary>The broker set it when it appended the message.</summary>
    LogAppendTime,
}

/// <summary>One message header: a name and a value that may be null. Immutable; the bytes are owned by the header.</summary>
/// <param name="Name">Header name.</param>
/// <param name="Value">Header bytes, or null.</param>
public sealed record MessageHeader(string Name, byte[]? Value);

/// <summary>
/// Reads the headers of a <see cref="MessageView"/> in a connector's own representation (the embedded log's encoded
/// bytes, Confluent.Kafka's <c>Headers</c>), so the view is built per message without copying or allocating.
/// Implemented by connectors; stateless and thread-safe.
/// </summary>
public interface IMessageHeaderAccessor
{
    /// <summary>The number of headers.</summary>
    /// <param name="encoded">The connector's encoded headers, as given to the view.</param>
    /// <param name="state">The connector's header object, as given to the view.</param>
    int Count(ReadOnlySpan<byte> encoded, object? state);

    /// <summary>Finds the last header named <paramref name="name"/> (Kafka's convention for repeated names).</summary>
    /// <param name="encoded">The connector's encoded headers.</param>
    /// <param name="state">The connector's header object.</param>
    /// <param name="name">The header name (ordinal).</param>
    /// <param name="value">Its value; empty when absent or null.</param>
    /// <returns>True when a header of that name exists.</returns>
    bool TryGet(ReadOnlySpan<byte> encoded, object? state, string name, out ReadOnlySpan<byte> value);

    /// <summary>Copies every header, in stored order.</summary>
    /// <param name="encoded">The connector's encoded headers.</param>
    /// <param name="state">The connector's header object.</param>
    IReadOnlyList<MessageHeader> Copy(ReadOnlySpan<byte> encoded, object? state);
}

/// <summary>
/// One consumed message as a <see cref="IMessageDeserializer{T}"/> sees it, whichever connector read it (embedded log,
/// Kafka): where it came from (topic, partition, offset), its timestamp, key, value and headers. A view over the
/// connector's buffers: valid only during the <see cref="IMessageDeserializer{T}.TryDeserialize"/> call; copy what the
/// decoded value keeps. Building one allocates nothing.
/// </summary>
public readonly ref struct MessageView
{
    private readonly IMessageHeaderAccessor? _headers;
    private readonly ReadOnlySpan<byte> _encodedHeaders;
    private readonly object? _headerState;

    /// <summary>Creates a view (connectors do this once per message).</summary>
    /// <param name="topic">Topic the message was read from.</param>
    /// <param name="partition">Partition number.</param>
    /// <param name="offset">Offset in the partition.</param>
    /// <param name="timestampMs">The message's timestamp, Unix milliseconds.</param>
    /// <param name="timestampType">Who set the timestamp.</param>
    /// <param name="key">Key bytes (empty when <paramref name="hasKey"/> is false).</param>
    /// <param name="hasKey">Whether the message has a key.</param>
    /// <param name="value">Value bytes (empty for a tombstone).</param>
    /// <param name="hasValue">Whether the message has a value (false for a tombstone).</param>
    /// <param name="headers">Reads the headers; null when the message has none.</param>
    /// <param name="encodedHeaders">The connector's encoded headers, passed back to <paramref name="headers"/>.</param>
    /// <param name="headerState">The connector's header object, passed back to <paramref name="headers"/>.</param>
    public MessageView(string topic, int partition, long offset, long timestampMs, MessageTimestampType timestampType,
        ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue,
        IMessageHeaderAccessor? headers = null, ReadOnlySpan<byte> encodedHeaders = default, object? headerState = null)
    {
        Topic = topic;
        Partition = partition;
        Offset = offset;
        TimestampMs = timestampMs;
        TimestampType = timestampType;
        Key = key;
        HasKey = hasKey;
        Value = value;
        HasValue = hasValue;
        _headers = headers;
        _encodedHeaders = encodedHeaders;
        _headerState = headerState;
    }

    /// <summary>Topic the message was read from.</summary>
    public string Topic { get; }

    /// <summary>Partition number.</summary>
    public int Partition { get; }

    /// <summary>Offset in the partition.</summary>
    public long Offset { get; }

    /// <summary>The message's timestamp, Unix milliseconds (<see cref="TimestampType"/> says whose).</summary>
    public long TimestampMs { get; }

    /// <summary>Who set the timestamp.</summary>
    public MessageTimestampType TimestampType { get; }

    /// <summary>Key bytes; empty when <see cref="HasKey"/> is false.</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>Whether the message has a key.</summary>
    public bool HasKey { get; }

    /// <summary>Value bytes; empty for a tombstone.</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>Whether the message has a value; false for a tombstone (a deletion marker on compacted topics).</summary>
    public bool HasValue { get; }

    /// <summary>True when the message has no value.</summary>
    public bool IsTombstone => !HasValue;

    /// <summary>The number of headers.</summary>
    public int HeaderCount => _headers?.Count(_encodedHeaders, _headerState) ?? 0;

    /// <summary>Where the message is, as dead letters name it: <c>topic/partition/offset</c>. Allocates.</summary>
    public string Position => $"{Topic}/{Partition}/{Offset}";

    /// <summary>Finds the last header named <paramref name="name"/> without allocating.</summary>
    /// <param name="name">The header name (ordinal).</param>
    /// <param name="value">Its value; empty when absent or null.</param>
    /// <returns>True when a header of that name exists.</returns>
    public bool TryGetHeader(string name, out ReadOnlySpan<byte> value)
    {
        if (_headers is null)
        {
            value = default;
            return false;
        }
        return _headers.TryGet(_encodedHeaders, _headerState, name, out value);
    }

    /// <summary>Copies the headers (allocates; empty when none).</summary>
    public IReadOnlyList<MessageHeader> CopyHeaders() => _headers is null ? [] : _headers.Copy(_encodedHeaders, _headerState);
}
