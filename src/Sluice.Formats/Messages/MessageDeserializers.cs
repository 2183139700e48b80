using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Sluice.Formats.Internal;
using Sluice.Schemas;

namespace Sluice.Formats;

/// <summary>
/// The built-in <see cref="IMessageDeserializer{T}"/>s, for the embedded log and Kafka alike: JSON (System.Text.Json),
/// UTF-8 text, raw bytes, rows of a <see cref="RowFormat"/>, and an envelope with key, headers and position. Each
/// reports a tombstone (a message without value) as an error — a dead letter — except <see cref="WithMetadata{T}"/>,
/// which delivers it. All are thread-safe.
/// </summary>
public static class MessageDeserializers
{
    /// <summary>
    /// The value as one UTF-8 JSON document, read straight from the connector's buffer. Malformed JSON, a value that
    /// does not fit <typeparamref name="T"/> (the error names the JSON path, <c>address.zip</c>), JSON <c>null</c> and
    /// tombstones are errors.
    /// </summary>
    /// <param name="typeInfo">Source-generated metadata (a <c>JsonSerializerContext</c>'s) to avoid reflection; null uses
    /// <see cref="JsonSerializerOptions.Web"/> with reflection.</param>
    public static IMessageDeserializer<T> Json<T>(JsonTypeInfo<T>? typeInfo = null) =>
        new JsonDeserializer<T>(typeInfo ?? (JsonTypeInfo<T>)JsonSerializerOptions.Web.GetTypeInfo(typeof(T)));

    /// <summary>The value as strict UTF-8 text; invalid UTF-8 and tombstones are errors, an empty value is the empty string.</summary>
    public static IMessageDeserializer<string> Utf8String() => Utf8StringDeserializer.Instance;

    /// <summary>The value bytes, copied (the connector's buffer is reused); a tombstone is an error.</summary>
    public static IMessageDeserializer<byte[]> Bytes() => BytesDeserializer.Instance;

    /// <summary>
    /// The value as a row of <paramref name="rows"/>' schema (from <see cref="RowFormat.CreateDeserializer"/>): its
    /// <see cref="FormatError"/> — reason and field path — becomes the dead letter's. A tombstone, and a message that
    /// holds no record (a csv comment), are errors: nothing is dropped silently.
    /// </summary>
    /// <param name="rows">Decodes the value bytes.</param>
    public static IMessageDeserializer<Row> Rows(IRowDeserializer rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new RowDeserializer(rows);
    }

    /// <summary>
    /// An upsert topic read back as a changelog, as Flink's upsert-kafka source reads it: a message with a value is a
    /// <see cref="RowKind.UpdateAfter"/> row decoded by <paramref name="values"/> (all the table's fields are in the
    /// value); a tombstone is a <see cref="RowKind.Delete"/> row whose key fields are decoded from the message key by
    /// <paramref name="keys"/> and whose other fields are null. The stream is <see cref="ChangelogMode.Upsert"/>: an
    /// update carries no <c>-U</c> and a repeated tombstone repeats the <c>-D</c> — normalize it by key
    /// (<c>NormalizeChangelog</c>) where the previous row is needed. A tombstone without key, an undecodable key or
    /// value, and a value that holds no record are errors (dead letters).
    /// </summary>
    /// <param name="values">Decodes the value bytes into rows of the table's schema.</param>
    /// <param name="keys">Decodes the key bytes into rows of the key's fields (each a field of the value schema, same type).</param>
    /// <exception cref="ArgumentException">A key field is not a value field of the same type.</exception>
    public static IMessageDeserializer<Row> UpsertRows(IRowDeserializer values, IRowDeserializer keys)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(keys);
        return new UpsertRowDeserializer(values, keys);
    }

    /// <summary>
    /// Wraps <paramref name="values"/> so each record carries its topic, partition, offset, timestamp, key and headers.
    /// Tombstones are delivered (with <see cref="ConsumedMessage{T}.IsTombstone"/> set) instead of being passed to
    /// <paramref name="values"/>. Allocates the envelope and copies of key and headers per message.
    /// </summary>
    /// <param name="values">Decodes the value; its errors become dead letters as usual.</param>
    public static IMessageDeserializer<ConsumedMessage<T>> WithMetadata<T>(IMessageDeserializer<T> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new MetadataDeserializer<T>(values);
    }

    private static bool Fail<T>(out T? value, out FormatError error, string reason, string? fieldPath = null)
    {
        value = default;
        error = new FormatError(reason, fieldPath);
        return false;
    }

    private sealed class JsonDeserializer<T>(JsonTypeInfo<T> typeInfo) : IMessageDeserializer<T>
    {
        public bool TryDeserialize(in MessageView message, [MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out FormatError? error)
        {
            if (message.IsTombstone)
            {
                return Fail(out value, out error, "The message is a tombstone (no value); expected a JSON document.");
            }
            T? decoded;
            try
            {
                decoded = JsonSerializer.Deserialize(message.Value, typeInfo);
            }
            catch (JsonException e)
            {
                var path = e.Path is { Length: > 1 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : e.Path is { Length: > 1 } q ? q[1..] : null;
                return Fail(out value, out error, $"Malformed JSON: {e.Message}", path);
            }
            if (decoded is null)
            {
                return Fail(out value, out error, "The value is JSON null, not a record.");
            }
            value = decoded;
            error = null;
            return true;
        }
    }

    private sealed class Utf8StringDeserializer : IMessageDeserializer<string>
    {
        private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        public static Utf8StringDeserializer Instance { get; } = new();

        public bool TryDeserialize(in MessageView message, [MaybeNullWhen(false)] out string value, [NotNullWhen(false)] out FormatError? error)
        {
            if (message.IsTombstone)
            {
                return Fail(out value, out error, "The message is a tombstone (no value); expected UTF-8 text.");
            }
            try
            {
                value = s_strict.GetString(message.Value);
                error = null;
                return true;
            }
            catch (DecoderFallbackException e)
            {
                return Fail(out value, out error, $"The value is not valid UTF-8: {e.Message}");
            }
        }
    }

    private sealed class BytesDeserializer : IMessageDeserializer<byte[]>
    {
        public static BytesDeserializer Instance { get; } = new();

        public bool TryDeserialize(in MessageView message, [MaybeNullWhen(false)] out byte[] value, [NotNullWhen(false)] out FormatError? error)
        {
            if (message.IsTombstone)
            {
                return Fail(out value, out error, "The message is a tombstone (no value).");
            }
            value = message.Value.ToArray();
            error = null;
            return true;
        }
    }

    private sealed class RowDeserializer(IRowDeserializer rows) : IMessageDeserializer<Row>
    {
        public bool TryDeserialize(in MessageView message, [MaybeNullWhen(false)] out Row value, [NotNullWhen(false)] out FormatError? error)
        {
            if (message.IsTombstone)
            {
                return Fail(out value, out error, "The message is a tombstone (no value); expected a record.");
            }
            if (!rows.TryDeserialize(message.Value, out var row, out error))
            {
                value = null;
                return false;
            }
            if (row is null)
            {
                return Fail(out value, out error, "The message holds no record (a comment line).");
            }
            value = row;
            return true;
        }
    }

    private sealed class UpsertRowDeserializer(IRowDeserializer values, IRowDeserializer keys) : IMessageDeserializer<Row>
    {
        private readonly int[] _keyIndexes = RowFields.KeyIndexes(keys.Schema, values.Schema, nameof(keys));

        public bool TryDeserialize(in MessageView message, [MaybeNullWhen(false)] out Row value, [NotNullWhen(false)] out FormatError? error)
        {
            if (!message.IsTombstone)
            {
                if (!values.TryDeserialize(message.Value, out var row, out error))
                {
                    value = null;
                    return false;
                }
                if (row is null)
                {
                    return Fail(out value, out error, "The message holds no record (a comment line).");
                }
                row.Kind = RowKind.UpdateAfter;
                value = row;
                return true;
            }
            if (!message.HasKey)
            {
                return Fail(out value, out error, "The message is a tombstone without a key; a delete of an upsert topic needs the key of the deleted row.");
            }
            if (!keys.TryDeserialize(message.Key, out var key, out var keyError))
            {
                return Fail(out value, out error, $"The key of a tombstone cannot be decoded: {keyError.Reason}", keyError.FieldPath);
            }
            if (key is null)
            {
                return Fail(out value, out error, "The key of a tombstone holds no record (a comment line).");
            }
            var deleted = new Row(values.Schema) { Kind = RowKind.Delete };
            for (var i = 0; i < _keyIndexes.Length; i++)
            {
                RowFields.Copy(key, i, deleted, _keyIndexes[i]);
            }
            value = deleted;
            error = null;
            return true;
        }
    }

    private sealed class MetadataDeserializer<T>(IMessageDeserializer<T> values) : IMessageDeserializer<ConsumedMessage<T>>
    {
        public bool TryDeserialize(in MessageView message, [MaybeNullWhen(false)] out ConsumedMessage<T> value, [NotNullWhen(false)] out FormatError? error)
        {
            T? decoded = default;
            if (!message.IsTombstone && !values.TryDeserialize(message, out decoded, out error))
            {
                value = null;
                return false;
            }
            value = new ConsumedMessage<T>(message.Topic, message.Partition, message.Offset, message.TimestampMs, message.TimestampType,
                message.HasKey ? message.Key.ToArray() : null, message.CopyHeaders(), decoded, message.IsTombstone);
            error = null;
            return true;
        }
    }
}
