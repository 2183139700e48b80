using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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
    /// record). The row kind is not written (json, csv and raw are insert-only formats).
    /// </summary>
    /// <param name="value">Writes the value; returns false (raw, null field) for a tombstone.</param>
    /// <param name="key">Writes the key from the key fields; null = messages without key.</param>
    /// <exception cref="ArgumentException">A key field is not a field of the value schema with the same type.</exception>
    public static IMessageSerializer<Row> Rows(IRowSerializer value, IRowSerializer? key = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new RowSerializer(value, key);
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
        private readonly int[] _keyIndexes = [];
        private readonly ThreadLocal<Row>? _keyRow;

        public RowSerializer(IRowSerializer value, IRowSerializer? key)
        {
            _value = value;
            _key = key;
            if (key is null)
            {
                return;
            }
            _keyIndexes = new int[key.Schema.Count];
            for (var i = 0; i < _keyIndexes.Length; i++)
            {
                var field = key.Schema[i];
                var index = value.Schema.IndexOf(field.Name);
                if (index < 0 || !value.Schema[index].Type.Equals(field.Type))
                {
                    throw new ArgumentException(
                        $"Key field '{field.Name} {field.Type}' is not a field of the value schema {value.Schema}; a key's fields must be value fields of the same type.", nameof(key));
                }
                _keyIndexes[i] = index;
            }
            var keySchema = key.Schema;
            _keyRow = new ThreadLocal<Row>(() => new Row(keySchema));
        }

        public bool TryWriteKey(Row value, IBufferWriter<byte> destination)
        {
            if (_key is null)
            {
                return false;
            }
            var keyRow = _keyRow!.Value!;
            for (var i = 0; i < _keyIndexes.Length; i++)
            {
                CopyField(value, _keyIndexes[i], keyRow, i);
            }
            return _key.Serialize(keyRow, destination);
        }

        public bool TryWriteValue(Row value, IBufferWriter<byte> destination) => _value.Serialize(value, destination);

        /// <summary>Copies one field through the typed accessors (no boxing for fixed-width values).</summary>
        private static void CopyField(Row from, int source, Row to, int target)
        {
            if (from.IsNull(source))
            {
                to.SetNull(target);
                return;
            }
            switch (from.Schema[source].Type.Kind)
            {
                case DataTypeKind.Boolean:
                    to.SetBoolean(target, from.GetBoolean(source));
                    break;
                case DataTypeKind.Int:
                    to.SetInt32(target, from.GetInt32(source));
                    break;
                case DataTypeKind.BigInt:
                    to.SetInt64(target, from.GetInt64(source));
                    break;
                case DataTypeKind.Float:
                    to.SetSingle(target, from.GetSingle(source));
                    break;
                case DataTypeKind.Double:
                    to.SetDouble(target, from.GetDouble(source));
                    break;
                case DataTypeKind.Decimal:
                    to.SetDecimal(target, from.GetDecimal(source));
                    break;
                case DataTypeKind.Date:
                    to.SetDate(target, from.GetDate(source));
                    break;
                case DataTypeKind.Time:
                    to.SetTime(target, from.GetTime(source));
                    break;
                case DataTypeKind.Timestamp:
                    to.SetTimestamp(target, from.GetTimestamp(source));
                    break;
                case DataTypeKind.TimestampLtz:
                    to.SetTimestampLtz(target, from.GetTimestampLtz(source));
                    break;
                default:
                    to.SetValue(target, from.GetValue(source)); // references: no boxing
                    break;
            }
        }
    }
}
