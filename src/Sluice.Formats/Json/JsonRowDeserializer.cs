using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Sluice.Schemas;

namespace Sluice.Formats;

/// <summary>
/// The <c>json</c> format's deserializer (see <see cref="JsonFormat"/>): one JSON object per record, read with
/// <see cref="Utf8JsonReader"/> straight from the input. Numbers and booleans may also be given as strings, and a
/// VARCHAR field accepts a number or boolean as its text, as in Flink. Thread-safe.
/// </summary>
internal sealed class JsonRowDeserializer : IRowDeserializer
{
    private static readonly JsonReaderOptions s_readerOptions = new() { CommentHandling = JsonCommentHandling.Disallow };

    private readonly RowPlan _plan;
    private readonly bool _failOnMissingField;
    private readonly bool _ignoreParseErrors;
    private readonly TimestampStandard _standard;
    private long _ignored;

    public JsonRowDeserializer(Schema schema, bool failOnMissingField, bool ignoreParseErrors, TimestampStandard standard)
    {
        _plan = new RowPlan(schema);
        _failOnMissingField = failOnMissingField;
        _ignoreParseErrors = ignoreParseErrors;
        _standard = standard;
    }

    public Schema Schema => _plan.Schema;

    public long IgnoredErrorCount => Interlocked.Read(ref _ignored);

    public bool TryDeserialize(ReadOnlySpan<byte> data, out Row? row, [NotNullWhen(false)] out FormatError? error)
    {
        row = null;
        var reader = new Utf8JsonReader(data, s_readerOptions);
        try
        {
            if (data.IndexOfAnyExcept(" \t\r\n"u8) < 0 || !reader.Read())
            {
                error = new FormatError("The record is empty; expected a JSON object.");
                return false;
            }
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                error = new FormatError($"The record is {Describe(reader.TokenType)}, not a JSON object.");
                return false;
            }
            if (!TryReadRow(ref reader, _plan, out var decoded, out error))
            {
                return false;
            }
            if (reader.Read())
            {
                error = new FormatError("The record has more JSON after its object.");
                return false;
            }
            row = decoded;
            return true;
        }
        catch (JsonException e)
        {
            error = new FormatError($"Malformed JSON: {e.Message}");
            return false;
        }
    }

    private bool TryReadRow(ref Utf8JsonReader reader, RowPlan plan, [NotNullWhen(true)] out Row? row, [NotNullWhen(false)] out FormatError? error)
    {
        var count = plan.Fields.Length;
        var decoded = new Row(plan.Schema);
        Span<bool> seen = count <= 128 ? stackalloc bool[count] : new bool[count];
        var next = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var index = FindField(ref reader, plan, next);
            reader.Read();
            if (index < 0)
            {
                reader.Skip();
                continue;
            }
            next = index + 1;
            seen[index] = true;
            var field = plan.Fields[index];
            if (reader.TokenType == JsonTokenType.Null)
            {
                if (!field.Type.IsNullable)
                {
                    row = null;
                    error = new FormatError($"The value is null but the field is {field.Type}.", plan.Names[index]);
                    return false;
                }
                decoded.SetNull(index);
                continue;
            }
            var checkpoint = reader;
            if (!TryReadField(ref reader, field, decoded, index, out var fieldError))
            {
                if (_ignoreParseErrors && field.Type.IsNullable)
                {
                    reader = checkpoint;
                    reader.Skip();
                    decoded.SetNull(index);
                    Interlocked.Increment(ref _ignored);
                    continue;
                }
                row = null;
                error = fieldError.InField(plan.Names[index]);
                return false;
            }
        }
        for (var i = 0; i < count; i++)
        {
            if (seen[i])
            {
                continue;
            }
            if (_failOnMissingField)
            {
                row = null;
                error = new FormatError($"The field is missing (json.fail-on-missing-field is true).", plan.Names[i]);
                return false;
            }
            if (!plan.Fields[i].Type.IsNullable)
            {
                row = null;
                error = new FormatError($"The field is missing but is {plan.Fields[i].Type}.", plan.Names[i]);
                return false;
            }
        }
        row = decoded;
        error = null;
        return true;
    }

    private static int FindField(ref Utf8JsonReader reader, RowPlan plan, int next)
    {
        var names = plan.Utf8Names;
        if (next < names.Length && reader.ValueTextEquals(names[next]))
        {
            return next;
        }
        for (var i = 0; i < names.Length; i++)
        {
            if (i != next && reader.ValueTextEquals(names[i]))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Reads the (non-null) value at the reader into field <paramref name="index"/>.</summary>
    private bool TryReadField(ref Utf8JsonReader reader, TypePlan plan, Row row, int index, [NotNullWhen(false)] out FormatError? error)
    {
        if (ScalarText.IsScalar(plan.Kind))
        {
            if (!TryReadScalar(ref reader, plan.Type, out var scalar, out var reason))
            {
                error = new FormatError(reason);
                return false;
            }
            scalar.Store(row, index, plan.Kind);
            error = null;
            return true;
        }
        if (!TryReadComposite(ref reader, plan, out var value, out error))
        {
            return false;
        }
        row.SetValue(index, value);
        return true;
    }

    /// <summary>Reads the value at the reader as its boxed CLR value; JSON null is null when the type admits it.</summary>
    private bool TryReadBoxed(ref Utf8JsonReader reader, TypePlan plan, out object? value, [NotNullWhen(false)] out FormatError? error)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            value = null;
            error = plan.Type.IsNullable ? null : new FormatError($"The value is null but the type is {plan.Type}.");
            return error is null;
        }
        if (ScalarText.IsScalar(plan.Kind))
        {
            if (!TryReadScalar(ref reader, plan.Type, out var scalar, out var reason))
            {
                value = null;
                error = new FormatError(reason);
                return false;
            }
            value = scalar.Box(plan.Type);
            error = null;
            return true;
        }
        return TryReadComposite(ref reader, plan, out value, out error);
    }

    private bool TryReadComposite(ref Utf8JsonReader reader, TypePlan plan, out object? value, [NotNullWhen(false)] out FormatError? error)
    {
        value = null;
        switch (plan.Kind)
        {
            case DataTypeKind.Row:
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    error = new FormatError($"Expected an object (a ROW), found {Describe(reader.TokenType)}.");
                    return false;
                }
                if (!TryReadRow(ref reader, plan.Row!, out var nested, out error))
                {
                    return false;
                }
                value = nested;
                return true;
            case DataTypeKind.Array:
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    error = new FormatError($"Expected an array, found {Describe(reader.TokenType)}.");
                    return false;
                }
                var elements = new List<object?>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (!TryReadBoxed(ref reader, plan.Element!, out var element, out var elementError))
                    {
                        error = elementError.AtIndex(elements.Count);
                        return false;
                    }
                    elements.Add(element);
                }
                value = elements;
                error = null;
                return true;
            default:
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    error = new FormatError($"Expected an object (a MAP), found {Describe(reader.TokenType)}.");
                    return false;
                }
                var entries = new List<KeyValuePair<object, object?>>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    if (!TryReadKey(ref reader, plan.Element!.Type, out var key, out var keyError))
                    {
                        error = new FormatError(keyError).AtKey(reader.GetString() ?? "");
                        return false;
                    }
                    reader.Read();
                    if (!TryReadBoxed(ref reader, plan.Value!, out var entryValue, out var valueError))
                    {
                        error = valueError.AtKey(key.ToString() ?? "");
                        return false;
                    }
                    entries.Add(new KeyValuePair<object, object?>(key, entryValue));
                }
                value = entries;
                error = null;
                return true;
        }
    }

    private bool TryReadKey(ref Utf8JsonReader reader, DataType keyType, [NotNullWhen(true)] out object? key, [NotNullWhen(false)] out string? reason)
    {
        if (keyType.Kind == DataTypeKind.Varchar)
        {
            key = reader.GetString()!;
            reason = null;
            return true;
        }
        if (!ScalarText.IsScalar(keyType.Kind))
        {
            key = null;
            reason = $"Map keys of type {keyType} cannot be read from JSON object names.";
            return false;
        }
        Span<byte> buffer = stackalloc byte[256];
        var length = CopyText(ref reader, buffer);
        if (length < 0 || !ScalarText.TryParse(keyType, buffer[..length], _standard, out var scalar, out reason))
        {
            key = null;
            reason = $"The key is not {ScalarText.Expected(keyType, _standard)}.";
            return false;
        }
        key = scalar.Box(keyType)!;
        return true;
    }

    private bool TryReadScalar(ref Utf8JsonReader reader, DataType type, out Scalar value, [NotNullWhen(false)] out string? reason)
    {
        value = default;
        reason = null;
        var token = reader.TokenType;
        switch (type.Kind)
        {
            case DataTypeKind.Boolean when token is JsonTokenType.True or JsonTokenType.False:
                value.Bits = token == JsonTokenType.True ? 1 : 0;
                return true;
            case DataTypeKind.Int when token == JsonTokenType.Number:
                if (reader.TryGetInt32(out var i32))
                {
                    value.Bits = i32;
                    return true;
                }
                break;
            case DataTypeKind.BigInt when token == JsonTokenType.Number:
                if (reader.TryGetInt64(out var i64))
                {
                    value.Bits = i64;
                    return true;
                }
                break;
            case DataTypeKind.Float when token == JsonTokenType.Number:
                if (reader.TryGetSingle(out var f32))
                {
                    value.Bits = BitConverter.SingleToInt32Bits(f32);
                    return true;
                }
                break;
            case DataTypeKind.Double when token == JsonTokenType.Number:
                if (reader.TryGetDouble(out var f64))
                {
                    value.Bits = BitConverter.DoubleToInt64Bits(f64);
                    return true;
                }
                break;
            case DataTypeKind.Decimal when token == JsonTokenType.Number:
                if (reader.TryGetDecimal(out var m))
                {
                    return ScalarText.TryFitDecimal(type, m, out value, out reason);
                }
                break;
            case DataTypeKind.Varchar when token == JsonTokenType.String:
                value.Reference = reader.GetString();
                return true;
            case DataTypeKind.Varchar when token is JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False:
                value.Reference = System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
                return true;
            case DataTypeKind.Bytes when token == JsonTokenType.String:
                if (reader.TryGetBytesFromBase64(out var bytes))
                {
                    value.Reference = bytes;
                    return true;
                }
                break;
            case DataTypeKind.Bytes:
                break;
            case DataTypeKind.Varchar:
                break;
            default:
                if (token == JsonTokenType.String)
                {
                    // Numbers and booleans given as strings (as Flink accepts), dates, times and timestamps.
                    Span<byte> buffer = stackalloc byte[128];
                    var length = CopyText(ref reader, buffer);
                    if (length >= 0 && ScalarText.TryParse(type, buffer[..length], _standard, out value, out reason))
                    {
                        return true;
                    }
                    if (reason is not null)
                    {
                        return false;
                    }
                }
                break;
        }
        reason = token is JsonTokenType.String or JsonTokenType.Number
            ? $"{Show(ref reader)} is not {ScalarText.Expected(type, _standard)}."
            : $"Expected {ScalarText.Expected(type, _standard)}, found {Describe(token)}.";
        return false;
    }

    /// <summary>Copies the unescaped text of the string or property name at the reader into <paramref name="buffer"/>; −1 when it does not fit.</summary>
    private static int CopyText(ref Utf8JsonReader reader, scoped Span<byte> buffer) =>
        reader.ValueSpan.Length <= buffer.Length ? reader.CopyString(buffer) : -1;

    private static string Show(ref Utf8JsonReader reader) => "'" + ScalarText.Show(reader.ValueSpan) + "'";

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
