using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace Sluice.Formats.Registry.Avro;

/// <summary>The values: one method per kind of Avro type, each reading the JSON value the reader is on and leaving the
/// reader on its last token.</summary>
internal sealed partial class AvroJsonEncoder
{
    /// <summary>Longest string read as a date, time, timestamp, decimal or uuid (characters).</summary>
    private const int MaxTextValue = 128;

    private static bool Write(AvroJsonPlan plan, ReadOnlySpan<byte> json, int origin, ref Utf8JsonReader reader, ref AvroWriter writer, Mode mode, ref Failure failure)
    {
        var write = (mode & Mode.Write) != 0;
        var token = reader.TokenType;
        switch (plan.Op)
        {
            case AvroJsonOp.Union:
                return WriteUnion(plan, json, origin, ref reader, ref writer, mode, ref failure);
            case AvroJsonOp.Record:
                return WriteRecord(plan, json, origin, ref reader, ref writer, mode, ref failure);
            case AvroJsonOp.Array:
                return WriteArray(plan, json, origin, ref reader, ref writer, mode, ref failure);
            case AvroJsonOp.Map:
                return WriteMap(plan, json, origin, ref reader, ref writer, mode, ref failure);
            case AvroJsonOp.Null when token == JsonTokenType.Null:
                return true;
            case AvroJsonOp.Boolean when token is JsonTokenType.True or JsonTokenType.False:
                if (write)
                {
                    writer.WriteBoolean(token == JsonTokenType.True);
                }
                return true;
            case AvroJsonOp.Int or AvroJsonOp.Date or AvroJsonOp.TimeMillis when token == JsonTokenType.Number:
                if (!reader.TryGetInt32(out var i) || (plan.Op == AvroJsonOp.TimeMillis && i is < 0 or >= 86_400_000))
                {
                    return Fail(ref failure, $"is {Text(ref reader)}, which is not a whole number in the range of {plan.Describe()}");
                }
                if (write)
                {
                    writer.WriteInt(i);
                }
                return true;
            case AvroJsonOp.Long or AvroJsonOp.TimeMicros or AvroJsonOp.TimestampMillis or AvroJsonOp.TimestampMicros
                or AvroJsonOp.LocalTimestampMillis or AvroJsonOp.LocalTimestampMicros when token == JsonTokenType.Number:
                if (!reader.TryGetInt64(out var l) || (plan.Op == AvroJsonOp.TimeMicros && l is < 0 or >= 86_400_000_000L))
                {
                    return Fail(ref failure, $"is {Text(ref reader)}, which is not a whole number in the range of {plan.Describe()}");
                }
                if (write)
                {
                    writer.WriteLong(l);
                }
                return true;
            case AvroJsonOp.Float when token == JsonTokenType.Number:
                if (!reader.TryGetDouble(out var f) || float.IsInfinity((float)f))
                {
                    return Fail(ref failure, $"is {Text(ref reader)}, which is beyond the range of float");
                }
                if (write)
                {
                    writer.WriteFloat((float)f);
                }
                return true;
            case AvroJsonOp.Double when token == JsonTokenType.Number:
                if (!reader.TryGetDouble(out var d))
                {
                    return Fail(ref failure, $"is {Text(ref reader)}, which is beyond the range of double");
                }
                if (write)
                {
                    writer.WriteDouble(d);
                }
                return true;
            case AvroJsonOp.String when token == JsonTokenType.String:
                if (write)
                {
                    WriteString(ref reader, ref writer);
                }
                return true;
            case AvroJsonOp.Bytes or AvroJsonOp.Fixed when token == JsonTokenType.String:
                return WriteBytes(plan, ref reader, ref writer, mode, ref failure);
            case AvroJsonOp.Enum when token == JsonTokenType.String:
                return WriteEnum(plan, ref reader, ref writer, write, ref failure);
            case AvroJsonOp.Uuid or AvroJsonOp.Date or AvroJsonOp.TimeMillis or AvroJsonOp.TimeMicros or AvroJsonOp.TimestampMillis or AvroJsonOp.TimestampMicros
                or AvroJsonOp.LocalTimestampMillis or AvroJsonOp.LocalTimestampMicros when token == JsonTokenType.String:
                return WriteTemporalOrUuid(plan, ref reader, ref writer, write, ref failure);
            case AvroJsonOp.DecimalBytes or AvroJsonOp.DecimalFixed when token is JsonTokenType.Number or JsonTokenType.String:
                return WriteDecimal(plan, ref reader, ref writer, write, ref failure);
            default:
                return Fail(ref failure, Mismatch(plan, token));
        }
    }

    /// <summary>Whether a union branch takes a JSON value of this token at all (it may still refuse the value).</summary>
    private static bool Takes(AvroJsonOp op, JsonTokenType token) => op switch
    {
        AvroJsonOp.Null => token == JsonTokenType.Null,
        AvroJsonOp.Boolean => token is JsonTokenType.True or JsonTokenType.False,
        AvroJsonOp.Int or AvroJsonOp.Long or AvroJsonOp.Float or AvroJsonOp.Double => token == JsonTokenType.Number,
        AvroJsonOp.String or AvroJsonOp.Uuid or AvroJsonOp.Bytes or AvroJsonOp.Fixed or AvroJsonOp.Enum => token == JsonTokenType.String,
        AvroJsonOp.Record or AvroJsonOp.Map => token == JsonTokenType.StartObject,
        AvroJsonOp.Array => token == JsonTokenType.StartArray,
        AvroJsonOp.Union => false,
        _ => token is JsonTokenType.Number or JsonTokenType.String,
    };

    private static bool WriteUnion(AvroJsonPlan plan, ReadOnlySpan<byte> json, int origin, ref Utf8JsonReader reader, ref AvroWriter writer, Mode mode, ref Failure failure)
    {
        var write = (mode & Mode.Write) != 0;
        var branches = plan.Branches;
        if ((mode & Mode.Default) != 0)
        {
            // Avro's rule for defaults: a union's default is a value of its first branch.
            if (write)
            {
                writer.WriteLong(0);
            }
            return Write(branches[0], json, origin, ref reader, ref writer, mode, ref failure);
        }
        var token = reader.TokenType;
        var candidates = 0;
        var only = -1;
        for (var b = 0; b < branches.Length; b++)
        {
            if (Takes(branches[b].Op, token))
            {
                candidates++;
                only = b;
            }
        }
        if (candidates == 1)
        {
            if (write)
            {
                writer.WriteLong(only);
            }
            return Write(branches[only], json, origin, ref reader, ref writer, mode, ref failure);
        }
        Failure? first = null;
        if (candidates > 1)
        {
            // The first branch that fits the plain value: each is tried without writing, on a copy of the reader.
            for (var b = 0; b < branches.Length; b++)
            {
                if (!Takes(branches[b].Op, token))
                {
                    continue;
                }
                var trial = reader;
                var refused = default(Failure);
                if (Write(branches[b], json, origin, ref trial, ref writer, mode & ~Mode.Write, ref refused))
                {
                    if (write)
                    {
                        writer.WriteLong(b);
                    }
                    return Write(branches[b], json, origin, ref reader, ref writer, mode, ref failure);
                }
                first ??= refused;
            }
        }
        if (token == JsonTokenType.StartObject && TaggedBranch(plan, reader) is var tagged and >= 0)
        {
            // Avro's JSON encoding of a union: {"type name": value}.
            reader.Read();
            reader.Read();
            if (write)
            {
                writer.WriteLong(tagged);
            }
            if (!Write(branches[tagged], json, origin, ref reader, ref writer, mode, ref failure))
            {
                failure.Under(branches[tagged].TypeName);
                return false;
            }
            reader.Read();
            return true;
        }
        if (first is { } refusal)
        {
            failure = refusal;
            return false;
        }
        return Fail(ref failure, Mismatch(plan, token));
    }

    /// <summary>The branch an object <c>{"name": value}</c> tags, or -1 when it is not one property naming a branch.</summary>
    private static int TaggedBranch(AvroJsonPlan plan, Utf8JsonReader probe)
    {
        if (!probe.Read() || probe.TokenType != JsonTokenType.PropertyName)
        {
            return -1;
        }
        var branch = -1;
        for (var b = 0; b < plan.Branches.Length && branch < 0; b++)
        {
            var candidate = plan.Branches[b];
            if (probe.ValueTextEquals(candidate.TypeName) || (candidate.ShortName is { } shortName && probe.ValueTextEquals(shortName)))
            {
                branch = b;
            }
        }
        if (branch < 0)
        {
            return -1;
        }
        probe.Read();
        probe.Skip();
        return probe.Read() && probe.TokenType == JsonTokenType.EndObject ? branch : -1;
    }

    private static bool WriteRecord(AvroJsonPlan plan, ReadOnlySpan<byte> json, int origin, ref Utf8JsonReader reader, ref AvroWriter writer, Mode mode, ref Failure failure)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return Fail(ref failure, Mismatch(plan, reader.TokenType));
        }
        var fields = plan.Fields;
        Span<int> starts = fields.Length <= 64 ? stackalloc int[fields.Length] : new int[fields.Length];
        starts.Fill(-1);
        var next = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = FindField(fields, ref reader, next);
            if (index < 0)
            {
                var name = reader.GetString()!;
                failure = Failure.Of($"is not a field of record {plan.TypeName} (its fields: {string.Join(", ", Array.ConvertAll(fields, static f => f.Name))})");
                failure.Under(name);
                return false;
            }
            if (starts[index] >= 0)
            {
                failure = Failure.Of("appears twice in the object");
                failure.Under(fields[index].Name);
                return false;
            }
            reader.Read();
            starts[index] = origin + (int)reader.TokenStartIndex;
            reader.Skip();
            next = index + 1;
        }
        var write = (mode & Mode.Write) != 0;
        for (var i = 0; i < fields.Length; i++)
        {
            var field = fields[i];
            if (starts[i] < 0)
            {
                if (field.Default is { } value)
                {
                    if (write)
                    {
                        writer.WriteRaw(value);
                    }
                }
                else if (field.Plan.Op == AvroJsonOp.Null || field.Plan.NullBranch >= 0)
                {
                    if (write && field.Plan.NullBranch >= 0)
                    {
                        writer.WriteLong(field.Plan.NullBranch);
                    }
                }
                else
                {
                    failure = Failure.Of($"is missing: record {plan.TypeName} requires it ({field.Plan.Describe()}, no default, not nullable)");
                    failure.Under(field.Name);
                    return false;
                }
                continue;
            }
            var fieldReader = new Utf8JsonReader(json[starts[i]..], isFinalBlock: true, default);
            fieldReader.Read();
            if (!Write(field.Plan, json, starts[i], ref fieldReader, ref writer, mode, ref failure))
            {
                failure.Under(field.Name);
                return false;
            }
        }
        return true;
    }

    /// <summary>The field the reader's property names: the expected next one first (JSON usually keeps schema order), then any.</summary>
    private static int FindField(AvroJsonField[] fields, ref Utf8JsonReader reader, int next)
    {
        if (next < fields.Length && reader.ValueTextEquals(fields[next].NameUtf8))
        {
            return next;
        }
        for (var i = 0; i < fields.Length; i++)
        {
            if (i != next && reader.ValueTextEquals(fields[i].NameUtf8))
            {
                return i;
            }
        }
        return -1;
    }

    private static bool WriteArray(AvroJsonPlan plan, ReadOnlySpan<byte> json, int origin, ref Utf8JsonReader reader, ref AvroWriter writer, Mode mode, ref Failure failure)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return Fail(ref failure, Mismatch(plan, reader.TokenType));
        }
        var write = (mode & Mode.Write) != 0;
        if (write)
        {
            // One block: its count first, so the items are counted on a copy of the reader.
            var count = 0;
            var probe = reader;
            while (probe.Read() && probe.TokenType != JsonTokenType.EndArray)
            {
                count++;
                probe.Skip();
            }
            if (count > 0)
            {
                writer.WriteLong(count);
            }
        }
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (!Write(plan.Element!, json, origin, ref reader, ref writer, mode, ref failure))
            {
                failure.UnderIndex(index);
                return false;
            }
            index++;
        }
        if (write)
        {
            writer.WriteLong(0);
        }
        return true;
    }

    private static bool WriteMap(AvroJsonPlan plan, ReadOnlySpan<byte> json, int origin, ref Utf8JsonReader reader, ref AvroWriter writer, Mode mode, ref Failure failure)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return Fail(ref failure, Mismatch(plan, reader.TokenType));
        }
        var write = (mode & Mode.Write) != 0;
        if (write)
        {
            var count = 0;
            var probe = reader;
            while (probe.Read() && probe.TokenType == JsonTokenType.PropertyName)
            {
                count++;
                probe.Read();
                probe.Skip();
            }
            if (count > 0)
            {
                writer.WriteLong(count);
            }
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var keyReader = reader;
            if (write)
            {
                WriteString(ref reader, ref writer);
            }
            reader.Read();
            if (!Write(plan.Element!, json, origin, ref reader, ref writer, mode, ref failure))
            {
                failure.UnderKey(keyReader.GetString()!);
                return false;
            }
        }
        if (write)
        {
            writer.WriteLong(0);
        }
        return true;
    }

    /// <summary>Writes the string (or property name) the reader is on as Avro's string: length, then UTF-8.</summary>
    private static void WriteString(ref Utf8JsonReader reader, ref AvroWriter writer)
    {
        if (!reader.ValueIsEscaped)
        {
            writer.WriteBytes(reader.ValueSpan);
            return;
        }
        var length = reader.ValueSpan.Length;
        byte[]? rented = null;
        Span<byte> buffer = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
        var written = reader.CopyString(buffer);
        writer.WriteBytes(buffer[..written]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static bool WriteBytes(AvroJsonPlan plan, ref Utf8JsonReader reader, ref AvroWriter writer, Mode mode, ref Failure failure)
    {
        var length = reader.ValueSpan.Length;
        byte[]? rented = null;
        Span<byte> buffer = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var text = buffer[..reader.CopyString(buffer)];
            byte[]? decodedRent = null;
            Span<byte> decoded = length <= 256 ? stackalloc byte[256] : (decodedRent = ArrayPool<byte>.Shared.Rent(length));
            try
            {
                int count;
                if ((mode & Mode.Default) != 0)
                {
                    // Avro's JSON encoding of bytes: each character is one byte (U+0000 to U+00FF).
                    count = 0;
                    var utf8 = text;
                    while (utf8.Length > 0)
                    {
                        if (System.Text.Rune.DecodeFromUtf8(utf8, out var rune, out var consumed) != OperationStatus.Done || rune.Value > 0xFF)
                        {
                            return Fail(ref failure, $"is a default that is not Avro bytes (characters U+0000 to U+00FF)");
                        }
                        decoded[count++] = (byte)rune.Value;
                        utf8 = utf8[consumed..];
                    }
                }
                else if (Base64.DecodeFromUtf8(text, decoded, out var consumedBytes, out count) != OperationStatus.Done || consumedBytes != text.Length)
                {
                    return Fail(ref failure, $"is not base64, which {plan.Describe()} must be given in");
                }
                if (plan.Op == AvroJsonOp.Fixed)
                {
                    if (count != plan.FixedSize)
                    {
                        return Fail(ref failure, $"holds {count} bytes, but {plan.Describe()} has {plan.FixedSize}");
                    }
                    if ((mode & Mode.Write) != 0)
                    {
                        writer.WriteRaw(decoded[..count]);
                    }
                }
                else if ((mode & Mode.Write) != 0)
                {
                    writer.WriteBytes(decoded[..count]);
                }
                return true;
            }
            finally
            {
                if (decodedRent is not null)
                {
                    ArrayPool<byte>.Shared.Return(decodedRent);
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static bool WriteEnum(AvroJsonPlan plan, ref Utf8JsonReader reader, ref AvroWriter writer, bool write, ref Failure failure)
    {
        var symbols = plan.Symbols;
        for (var i = 0; i < symbols.Length; i++)
        {
            if (reader.ValueTextEquals(symbols[i]))
            {
                if (write)
                {
                    writer.WriteInt(i);
                }
                return true;
            }
        }
        return Fail(ref failure, $"is \"{reader.GetString()}\", which is not a symbol of enum {plan.TypeName} ({string.Join(", ", Array.ConvertAll(symbols, static s => System.Text.Encoding.UTF8.GetString(s)))})");
    }

    private static bool WriteTemporalOrUuid(AvroJsonPlan plan, ref Utf8JsonReader reader, ref AvroWriter writer, bool write, ref Failure failure)
    {
        Span<char> chars = stackalloc char[MaxTextValue];
        if (reader.ValueSpan.Length > MaxTextValue)
        {
            return Fail(ref failure, $"is a string too long for {plan.Describe()}");
        }
        // Unescaped, a string has at most as many characters as its JSON text has bytes.
        var text = chars[..reader.CopyString(chars)];
        var culture = CultureInfo.InvariantCulture;
        switch (plan.Op)
        {
            case AvroJsonOp.Uuid:
                if (!Guid.TryParse(text, out _))
                {
                    return Fail(ref failure, $"is \"{text}\", which is not a UUID");
                }
                if (write)
                {
                    WriteString(ref reader, ref writer);
                }
                return true;
            case AvroJsonOp.Date:
                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", culture, DateTimeStyles.None, out var date))
                {
                    return Fail(ref failure, $"is \"{text}\", which is not a date (yyyy-MM-dd) nor a number of days since 1970-01-01");
                }
                if (write)
                {
                    writer.WriteInt(AvroTime.DaysFromDate(date));
                }
                return true;
            case AvroJsonOp.TimeMillis or AvroJsonOp.TimeMicros:
                if (!TimeOnly.TryParse(text, culture, DateTimeStyles.None, out var time))
                {
                    return Fail(ref failure, $"is \"{text}\", which is not a time of day (HH:mm:ss[.fffffff]) nor a number of {(plan.Op == AvroJsonOp.TimeMillis ? "milliseconds" : "microseconds")} since midnight");
                }
                if (write)
                {
                    if (plan.Op == AvroJsonOp.TimeMillis)
                    {
                        writer.WriteInt(AvroTime.MillisFromTime(time));
                    }
                    else
                    {
                        writer.WriteLong(AvroTime.MicrosFromTime(time));
                    }
                }
                return true;
            default:
                // timestamp-*: an instant (no offset = UTC); local-timestamp-*: the wall-clock time as written.
                if (!DateTimeOffset.TryParse(text, culture, DateTimeStyles.AssumeUniversal, out var instant))
                {
                    return Fail(ref failure, $"is \"{text}\", which is not an ISO-8601 timestamp nor a number of {(plan.Op is AvroJsonOp.TimestampMillis or AvroJsonOp.LocalTimestampMillis ? "milliseconds" : "microseconds")} since 1970-01-01T00:00:00Z");
                }
                if (write)
                {
                    var ticks = plan.Op is AvroJsonOp.TimestampMillis or AvroJsonOp.TimestampMicros ? instant.UtcTicks : instant.DateTime.Ticks;
                    writer.WriteLong(plan.Op is AvroJsonOp.TimestampMillis or AvroJsonOp.LocalTimestampMillis ? AvroTime.MillisFromTicks(ticks) : AvroTime.MicrosFromTicks(ticks));
                }
                return true;
        }
    }

    private static bool WriteDecimal(AvroJsonPlan plan, ref Utf8JsonReader reader, ref AvroWriter writer, bool write, ref Failure failure)
    {
        decimal value;
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (!reader.TryGetDecimal(out value))
            {
                return Fail(ref failure, $"is {Text(ref reader)}, which is beyond the range of {plan.Describe()}");
            }
        }
        else
        {
            Span<char> chars = stackalloc char[MaxTextValue];
            if (reader.ValueSpan.Length > MaxTextValue
                || !decimal.TryParse(chars[..reader.CopyString(chars)], NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            {
                return Fail(ref failure, $"is {Text(ref reader)}, which is not a decimal number");
            }
        }
        if (plan.Scale is < 0 or > 28 || decimal.Round(value, plan.Scale) != value)
        {
            return Fail(ref failure, $"is {value.ToString(CultureInfo.InvariantCulture)}, which has more decimal places than the scale of {plan.Describe()}");
        }
        if (plan.Precision > 0 && plan.Precision - plan.Scale < 29 && Math.Abs(value) >= Pow10(plan.Precision - plan.Scale))
        {
            return Fail(ref failure, $"is {value.ToString(CultureInfo.InvariantCulture)}, which has more digits than the precision of {plan.Describe()}");
        }
        Span<byte> unscaled = stackalloc byte[16];
        int length;
        try
        {
            length = AvroDecimals.ToUnscaled(value, plan.Scale, unscaled);
        }
        catch (FormatException)
        {
            return Fail(ref failure, $"is {value.ToString(CultureInfo.InvariantCulture)}, which does not fit {plan.Describe()}");
        }
        if (plan.Op == AvroJsonOp.DecimalFixed)
        {
            if (length > plan.FixedSize)
            {
                return Fail(ref failure, $"is {value.ToString(CultureInfo.InvariantCulture)}, which does not fit the {plan.FixedSize} bytes of {plan.Describe()}");
            }
            if (write)
            {
                // Sign-extended to the fixed size.
                Span<byte> padded = stackalloc byte[plan.FixedSize];
                padded.Fill(value < 0 ? (byte)0xFF : (byte)0);
                unscaled[..length].CopyTo(padded[(plan.FixedSize - length)..]);
                writer.WriteRaw(padded);
            }
        }
        else if (write)
        {
            writer.WriteBytes(unscaled[..length]);
        }
        return true;
    }

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }
        return result;
    }

    private static bool Fail(ref Failure failure, string reason)
    {
        failure = Failure.Of(reason);
        return false;
    }

    private static string Mismatch(AvroJsonPlan plan, JsonTokenType token) => $"is {Describe(token)}, but the schema's type is {plan.Describe()}";

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        _ => "null",
    };

    /// <summary>The JSON text of the value the reader is on (for messages; a string is shown quoted).</summary>
    private static string Text(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String ? $"\"{reader.GetString()}\"" : System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
}
