using System.Text;
using System.Text.Json;

namespace Sluice.Server.Ingest;

/// <summary>How an ingest body is laid out.</summary>
internal enum IngestBodyFormat
{
    /// <summary>Decide from the first byte: <c>[</c> is an array; one object and nothing else is an object; else NDJSON.</summary>
    Sniff,

    /// <summary>One JSON object, or (when the body starts with <c>[</c>) an array of objects: <c>application/json</c>.</summary>
    Json,

    /// <summary>One JSON object per line: <c>application/x-ndjson</c>.</summary>
    Ndjson,
}

/// <summary>The fields an ingest request takes its key and timestamp from (both optional).</summary>
internal sealed class IngestFields
{
    /// <summary>Creates the field selection; null names select nothing.</summary>
    public IngestFields(string? keyField, string? timestampField)
    {
        KeyField = keyField;
        TimestampField = timestampField;
        KeyFieldUtf8 = keyField is null ? null : Encoding.UTF8.GetBytes(keyField);
        TimestampFieldUtf8 = timestampField is null ? null : Encoding.UTF8.GetBytes(timestampField);
    }

    /// <summary>No key field, no timestamp field.</summary>
    public static IngestFields None { get; } = new(null, null);

    /// <summary>The top-level field whose value is the record's key (<c>?key=</c>).</summary>
    public string? KeyField { get; }

    /// <summary>The top-level field whose value is the record's timestamp (<c>?timestamp=</c>).</summary>
    public string? TimestampField { get; }

    /// <summary><see cref="KeyField"/> as UTF-8.</summary>
    public byte[]? KeyFieldUtf8 { get; }

    /// <summary><see cref="TimestampField"/> as UTF-8.</summary>
    public byte[]? TimestampFieldUtf8 { get; }
}

/// <summary>The first malformed record of a body: where it is (1-based line or element, 0 for the body as a whole),
/// the field at fault (if one) and one sentence saying both.</summary>
internal sealed record IngestParseError(int Line, string? Field, string Message);

/// <summary>
/// Splits an ingest body into records with <see cref="Utf8JsonReader"/>, without a string per record: a record's value
/// is its exact bytes in the body; its key is the <see cref="IngestFields.KeyField"/> value (a string's unescaped
/// text, any other value's JSON text; missing or null = no key); its timestamp the <see cref="IngestFields.TimestampField"/>
/// value (integer Unix ms or an ISO 8601 string; required when the field is named), else "now". Each record must be a
/// JSON object and pass the topic's validator. Thread-safe (stateless).
/// </summary>
internal static class IngestParser
{
    /// <summary>
    /// Parses <paramref name="batch"/>'s body into its records. Without <paramref name="deadLetter"/> the first bad
    /// record stops parsing and is returned (the caller appends nothing). With it, bad records are listed in
    /// <see cref="IngestBatch.Rejected"/> and parsing goes on; only a body whose records cannot be told apart (an
    /// array or object that is not valid JSON, an empty body) is still an error.
    /// </summary>
    /// <param name="batch">The request's batch, its body read.</param>
    /// <param name="format">How the body is laid out.</param>
    /// <param name="fields">The key and timestamp fields.</param>
    /// <param name="validator">The topic's validator, or null.</param>
    /// <param name="deadLetter">Whether bad records are dead-lettered instead of failing the request.</param>
    /// <param name="encoder">The request's registry format (<c>?format=</c>), which checks each record and writes its
    /// value into <see cref="IngestBatch.Encoded"/>; null stores each record's JSON as sent.</param>
    public static IngestParseError? Parse(IngestBatch batch, IngestBodyFormat format, IngestFields fields, IRecordValidator? validator, bool deadLetter, IRecordEncoder? encoder = null)
    {
        var body = batch.Body;
        var start = 0;
        if (body.StartsWith("\uFEFF"u8))
        {
            start = 3;
        }
        start = SkipWhitespace(body, start);
        if (start == body.Length)
        {
            return new IngestParseError(0, null, "The body is empty: send one JSON object, a JSON array of objects, or NDJSON (one object per line).");
        }
        if (body[start] == (byte)'[' && format != IngestBodyFormat.Ndjson)
        {
            return ParseArray(batch, start, fields, validator, deadLetter, encoder);
        }
        if (format == IngestBodyFormat.Json || (format == IngestBodyFormat.Sniff && IsSingleValue(body, start)))
        {
            var end = body.Length;
            while (end > start && IsWhitespace(body[end - 1]))
            {
                end--;
            }
            return Record(batch, start, end - start, 1, RecordKind.Object, fields, validator, deadLetter, encoder);
        }
        return ParseLines(batch, start, fields, validator, deadLetter, encoder);
    }

    private static IngestParseError? ParseLines(IngestBatch batch, int position, IngestFields fields, IRecordValidator? validator, bool deadLetter, IRecordEncoder? encoder)
    {
        var body = batch.Body;
        // Lines are counted from the body's start (the leading whitespace skipped may hold newlines).
        var line = 1 + body[..position].Count((byte)'\n');
        while (position < body.Length)
        {
            var newline = body[position..].IndexOf((byte)'\n');
            var end = newline < 0 ? body.Length : position + newline;
            var first = SkipWhitespace(body[..end], position);
            var last = end;
            while (last > first && IsWhitespace(body[last - 1]))
            {
                last--;
            }
            if (last > first && Record(batch, first, last - first, line, RecordKind.Line, fields, validator, deadLetter, encoder) is { } error)
            {
                return error;
            }
            position = end + 1;
            line++;
        }
        return null;
    }

    private static IngestParseError? ParseArray(IngestBatch batch, int start, IngestFields fields, IRecordValidator? validator, bool deadLetter, IRecordEncoder? encoder)
    {
        var body = batch.Body;
        var reader = new Utf8JsonReader(body[start..], isFinalBlock: true, default);
        var element = 0;
        var complete = 0;
        try
        {
            reader.Read();
            // `complete` counts the elements read whole, so a syntax error names the one after them.
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                element++;
                var first = start + (int)reader.TokenStartIndex;
                reader.Skip();
                var length = start + (int)reader.BytesConsumed - first;
                if (Record(batch, first, length, element, RecordKind.Element, fields, validator, deadLetter, encoder) is { } error)
                {
                    return error;
                }
                complete = element;
            }
            if (reader.Read())
            {
                return new IngestParseError(element + 1, null, $"The body holds more than one JSON value after its array (at byte {start + reader.TokenStartIndex}): send one array, one object, or NDJSON.");
            }
        }
        catch (JsonException e)
        {
            return new IngestParseError(complete + 1, null, $"Array element {complete + 1} is not valid JSON ({Reason(e)}); nothing was appended.");
        }
        return null;
    }

    private static IngestParseError? Record(IngestBatch batch, int start, int length, int line, RecordKind kind, IngestFields fields, IRecordValidator? validator, bool deadLetter, IRecordEncoder? encoder)
    {
        var problem = ReadRecord(batch, start, length, line, fields, out var field, out var slot);
        if (problem is null && validator is not null && !validator.TryValidate(batch.Body.Slice(start, length), out field, out var invalid))
        {
            problem = invalid;
        }
        if (problem is null && encoder is not null)
        {
            var values = batch.Encoded;
            var mark = values.Length;
            if (encoder.TryEncode(batch.Body.Slice(start, length), values, out field, out var refused))
            {
                slot.ValueStart = mark;
                slot.ValueLength = values.Length - mark;
            }
            else
            {
                values.Truncate(mark);
                problem = refused;
            }
        }
        if (problem is null)
        {
            batch.Add(slot);
            return null;
        }
        var message = $"{Where(kind, line)}: {problem}.";
        if (deadLetter)
        {
            batch.Reject(start, length, line, message);
            return null;
        }
        return new IngestParseError(line, field, message);
    }

    private static string Where(RecordKind kind, int line) => kind switch
    {
        RecordKind.Line => $"Line {line}",
        RecordKind.Element => $"Array element {line}",
        _ => "The body's object",
    };

    /// <summary>Reads one record's key and timestamp; returns the problem (and the field) when it is not a
    /// valid record.</summary>
    private static string? ReadRecord(IngestBatch batch, int start, int length, int line, IngestFields fields, out string? field, out RecordSlot slot)
    {
        field = null;
        var json = batch.Body.Slice(start, length);
        slot = new RecordSlot { ValueStart = start, ValueLength = length, KeyStart = -1, TimestampMs = -1, Line = line };
        var reader = new Utf8JsonReader(json, isFinalBlock: true, default);
        var timestampFound = false;
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return $"is a JSON {Describe(reader.TokenType)}, not an object";
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (fields.KeyFieldUtf8 is { } keyField && slot.KeyStart < 0 && reader.ValueTextEquals(keyField))
                {
                    reader.Read();
                    ReadKey(batch, ref reader, start, ref slot);
                }
                else if (fields.TimestampFieldUtf8 is { } timestampField && !timestampFound && reader.ValueTextEquals(timestampField))
                {
                    reader.Read();
                    timestampFound = true;
                    if (!TryReadTimestamp(ref reader, out slot.TimestampMs))
                    {
                        field = fields.TimestampField;
                        return $"field '{fields.TimestampField}' is not a timestamp (give Unix milliseconds as an integer, or an ISO 8601 string)";
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            // The reader throws on anything after the object (it reads one value only).
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            return $"is not valid JSON ({Reason(e)})";
        }
        if (fields.TimestampField is not null && !timestampFound)
        {
            field = fields.TimestampField;
            return $"field '{fields.TimestampField}' (the timestamp) is missing";
        }
        return null;
    }

    private static void ReadKey(IngestBatch batch, ref Utf8JsonReader reader, int start, ref RecordSlot slot)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return;
            case JsonTokenType.String when !reader.ValueIsEscaped:
                slot.KeyStart = start + (int)reader.TokenStartIndex + 1;
                slot.KeyLength = reader.ValueSpan.Length;
                return;
            case JsonTokenType.String:
                Span<byte> unescaped = reader.ValueSpan.Length <= 256 ? stackalloc byte[reader.ValueSpan.Length] : new byte[reader.ValueSpan.Length];
                var written = reader.CopyString(unescaped);
                slot.KeyStart = batch.AddSideKey(unescaped[..written], out slot.KeyLength);
                slot.KeyInSide = true;
                return;
            default:
                // Any other value: its JSON text as sent.
                var first = (int)reader.TokenStartIndex;
                reader.Skip();
                slot.KeyStart = start + first;
                slot.KeyLength = (int)reader.BytesConsumed - first;
                return;
        }
    }

    private static bool TryReadTimestamp(ref Utf8JsonReader reader, out long timestampMs)
    {
        timestampMs = -1;
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetInt64(out timestampMs) && timestampMs >= 0;
        }
        if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var time) && time.ToUnixTimeMilliseconds() >= 0)
        {
            timestampMs = time.ToUnixTimeMilliseconds();
            return true;
        }
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
        }
        return false;
    }

    private static bool IsSingleValue(ReadOnlySpan<byte> body, int start)
    {
        var reader = new Utf8JsonReader(body[start..], isFinalBlock: true, default);
        try
        {
            reader.Read();
            reader.Skip();
            return SkipWhitespace(body, start + (int)reader.BytesConsumed) == body.Length;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        _ => "null",
    };

    private static string Reason(JsonException e)
    {
        // The reader's message ends with "LineNumber: 0 | BytePositionInLine: 7."; keep its first sentence.
        var message = e.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ') + (e.BytePositionInLine is { } b ? $" at byte {b}" : "");
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> body, int position)
    {
        while (position < body.Length && IsWhitespace(body[position]))
        {
            position++;
        }
        return position;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private enum RecordKind
    {
        Object,
        Line,
        Element,
    }
}
