using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Sluice.Formats.Internal;
using Sluice.Schemas;

namespace Sluice.Formats;

/// <summary>
/// The built-in <see cref="IMessageSerializer{T}"/>s, for the embedded log and Kafka alike: JSON (System.Text.Json),
/// UTF-8 text, raw bytes, any mapping to bytes, and rows of a <see cref="RowFormat"/>. Text keys are written as UTF-8
/// straight into the key buffer. All are thread-safe.
/// </summary>
public static class MessageSerializers
{
    /// <summary>
    /// The record as one UTF-8 JSON document, serialized straight into the writer's buffer through a per-thread
    /// <see cref="Utf8JsonWriter"/>; a null record is a tombstone.
    /// </summary>
    /// <param name="typeInfo">Source-generated metadata to avoid reflection; null uses <see cref="JsonSerializerOptions.Web"/> with reflection.</param>
    /// <param name="key">Selects the key text (UTF-8 encoded); null, or a null result, = no key.</param>
    public static IMessageSerializer<T> Json<T>(JsonTypeInfo<T>? typeInfo = null, Func<T, string?>? key = null) =>
        new JsonSerializer<T>(typeInfo ?? (JsonTypeInfo<T>)JsonSerializerOptions.Web.GetTypeInfo(typeof(T)), key);

    /// <summary>The string as UTF-8 (a null string is a tombstone).</summary>
    /// <param name="key">Selects the key text; null, or a null result, = no key.</param>
    public static IMessageSerializer<string> Utf8String(Func<string, string?>? key = null) => new Utf8StringSerializer(key);

    /// <summary>The bytes as they are (a null array is a tombstone).</summary>
    /// <param name="key">Selects the key bytes; null, or a null result, = no key.</param>
    public static IMessageSerializer<byte[]> Bytes(Func<byte[], byte[]?>? key = null) => new Serializer<byte[]>(static v => v, key);

    /// <summary>Any mapping to value and key bytes (copied into the writer's buffer); a null value is a tombstone.</summary>
    /// <param name="value">The value bytes of a record.</param>
    /// <param name="key">The key bytes of a record; null, or a null result, = no key.</param>
    public static IMessageSerializer<T> Create<T>(Func<T, byte[]?> value, Func<T, byte[]?>? key = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new Serializer<T>(value, key);
    }

    /// <summary>
    /// Rows written by <paramref name="value"/> (from <see cref="RowFormat.CreateSerializer"/>), keyed by the fields of
    /// <paramref name="key"/>'s schema written by <paramref name="key"/> (Flink's <c>key.format</c> + <c>key.fields</c>):
    /// <c>Rows(RowFormats.Json.CreateSerializer(schema), RowFormats.Raw.CreateSerializer(Schema.Parse("user_id STRING")))</c>.
    /// The key row is a projection of the value row by field name, filled into a per-thread row (no allocation per
    /// record). The row kind is not written (json, csv and raw are insert-only formats), so the stream must be
    /// insert-only: a retraction row (<c>-D</c>, <c>-U</c>) fails the job with a <see cref="NotSupportedException"/>
    /// naming the row, rather than being written as new data. <see cref="UpsertRows"/> writes a changelog.
    /// </summary>
    /// <param name="value">Writes the value; returns false (raw, null field) for a tombstone.</param>
    /// <param name="key">Writes the key from the key fields; null = messages without key.</param>
    /// <exception cref="ArgumentException">A key field is not a field of the value schema with the same type.</exception>
    /// <exception cref="NotSupportedException">Thrown by the serializer, failing the job, for a retraction row
    /// (<c>-D</c>, <c>-U</c>): the message would carry no row kind, so it would read back as new data. The message names
    /// the row.</exception>
    public static IMessageSerializer<Row> Rows(IRowSerializer value, IRowSerializer? key = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new RowSerializer(value, key, upsert: false);
    }

    /// <summary>
    /// A changelog of rows written as upserts by key, Flink's upsert-kafka convention (<see cref="ChangelogMode.Upsert"/>):
    /// <c>+I</c> and <c>+U</c> rows are messages with key and value as <see cref="Rows"/> writes them, a <c>-D</c> row is
    /// a tombstone (the key, no value), and a <c>-U</c> row writes no message at all
    /// (<see cref="IMessageSerializer{T}.ProducesMessage"/> is false: the <c>+U</c> that follows replaces the key's
    /// value). <see cref="MessageDeserializers.UpsertRows"/> reads such a topic back.
    /// </summary>
    /// <param name="value">Writes the value.</param>
    /// <param name="key">Writes the key from the key fields (each a value field of the same type).</param>
    /// <exception cref="ArgumentException">A key field is not a value field of the same type.</exception>
    public static IMessageSerializer<Row> UpsertRows(IRowSerializer value, IRowSerializer key)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(key);
        return new RowSerializer(value, key, upsert: true);
    }

    /// <summary>Writes text as UTF-8 into a buffer writer without an intermediate array; false for null text.</summary>
    internal static bool TryWriteUtf8(string? text, IBufferWriter<byte> destination)
    {
        if (text is null)
        {
            return false;
        }
        var span = destination.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        destination.Advance(Encoding.UTF8.GetBytes(text, span));
        return true;
    }

    private sealed class JsonSerializer<T>(JsonTypeInfo<T> typeInfo, Func<T, string?>? key) : IMessageSerializer<T>
    {
        private static readonly ArrayBufferWriter<byte> s_detached = new(1);

        [ThreadStatic]
        private static Utf8JsonWriter? s_writer;

        public bool TryWriteKey(T value, IBufferWriter<byte> destination) => key is not null && TryWriteUtf8(key(value), destination);

        public bool TryWriteValue(T value, IBufferWriter<byte> destination)
        {
            if (value is null)
            {
                return false;
            }
            var writer = s_writer ??= new Utf8JsonWriter(s_detached);
            writer.Reset(destination);
            try
            {
                System.Text.Json.JsonSerializer.Serialize(writer, value, typeInfo);
                writer.Flush();
            }
            finally
            {
                writer.Reset(s_detached); // do not keep the caller's buffer alive
            }
            return true;
        }
    }

    private sealed class Utf8StringSerializer(Func<string, string?>? key) : IMessageSerializer<string>
    {
        public bool TryWriteKey(string value, IBufferWriter<byte> destination) => key is not null && TryWriteUtf8(key(value), destination);

        public bool TryWriteValue(string value, IBufferWriter<byte> destination) => TryWriteUtf8(value, destination);
    }

    private sealed class Serializer<T>(Func<T, byte[]?> value, Func<T, byte[]?>? key) : IMessageSerializer<T>
    {
        public bool TryWriteKey(T record, IBufferWriter<byte> destination)
        {
            if (key?.Invoke(record) is not { } bytes)
            {
                return false;
            }
            destination.Write(bytes);
            return true;
        }

        public bool TryWriteValue(T record, IBufferWriter<byte> destination)
        {
            if (record is null || value(record) is not { } bytes)
            {
                return false;
            }
            destination.Write(bytes);
            return true;
        }
    }

    private sealed class RowSerializer : IMessageSerializer<Row>
    {
        private readonly IRowSerializer _value;
        private readonly IRowSerializer? _key;
        private readonly bool _upsert;
        private readonly int[] _keyIndexes = [];
        private readonly ThreadLocal<Row>? _keyRow;

        public RowSerializer(IRowSerializer value, IRowSerializer? key, bool upsert)
        {
            _value = value;
            _key = key;
            _upsert = upsert;
            if (key is null)
            {
                return;
            }
            _keyIndexes = RowFields.KeyIndexes(key.Schema, value.Schema, nameof(key));
            var keySchema = key.Schema;
            _keyRow = new ThreadLocal<Row>(() => new Row(keySchema));
        }

        public bool ProducesMessage(Row value) => !_upsert || value.Kind != RowKind.UpdateBefore;

        public bool TryWriteKey(Row value, IBufferWriter<byte> destination)
        {
            if (_key is null)
            {
                return false;
            }
            var keyRow = _keyRow!.Value!;
            for (var i = 0; i < _keyIndexes.Length; i++)
            {
                RowFields.Copy(value, _keyIndexes[i], keyRow, i);
            }
            return _key.Serialize(keyRow, destination);
        }

        public bool TryWriteValue(Row value, IBufferWriter<byte> destination)
        {
            if (value.Kind is RowKind.Delete or RowKind.UpdateBefore)
            {
                if (!_upsert)
                {
                    ThrowRetraction(value);
                }
                return false; // a tombstone (an update-before row is not written at all: ProducesMessage)
            }
            return _value.Serialize(value, destination);
        }

        [DoesNotReturn]
        private static void ThrowRetraction(Row value) =>
            throw new NotSupportedException(
                $"The sink received the retraction {value}, but it writes rows insert-only (json, csv and raw carry no row kind) and would write it as new data; write the changelog as upserts by key (connector 'upsert-kafka', MessageSerializers.UpsertRows), or keep the stream append-only.");
    }
}
