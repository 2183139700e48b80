using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Sluice.Server.PgWire;

/// <summary>
/// Turns a Bind message's parameter value (text or binary, of the OID its Parse declared) into the CLR value DuckDB.NET
/// binds. A parameter of an undeclared (0) or unknown OID must be text and is bound as a string, which DuckDB casts to
/// the type the statement needs. Stateless.
/// </summary>
internal static class PgParameterDecoder
{
    private static readonly DateTime s_epoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
    private static readonly int s_epochDay = new DateOnly(2000, 1, 1).DayNumber;

    /// <summary>Decodes parameter <paramref name="index"/> (0-based) of OID <paramref name="oid"/>.</summary>
    /// <exception cref="PgException">22P02 naming the parameter when the value does not parse; 0A000 for a binary value of an unsupported type.</exception>
    public static object Decode(int index, int oid, bool binary, byte[] value)
    {
        var kind = PgType.FromOid(oid);
        try
        {
            return binary ? DecodeBinary(index, oid, kind, value) : DecodeText(kind, Encoding.UTF8.GetString(value));
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new PgException(PgSqlState.InvalidTextRepresentation, $"Parameter ${index + 1} ({(binary ? "binary" : "text")}, type OID {oid}) is not a valid {kind?.ToString().ToLowerInvariant() ?? "value"}: {e.Message}");
        }
    }

    private static object DecodeText(PgTypeKind? kind, string text) => kind switch
    {
        PgTypeKind.Bool => text.ToLowerInvariant() switch
        {
            "t" or "true" or "yes" or "on" or "1" => true,
            "f" or "false" or "no" or "off" or "0" => false,
            _ => throw new FormatException($"'{text}' is not a boolean."),
        },
        PgTypeKind.Int2 => short.Parse(text, CultureInfo.InvariantCulture),
        PgTypeKind.Int4 => int.Parse(text, CultureInfo.InvariantCulture),
        PgTypeKind.Int8 => long.Parse(text, CultureInfo.InvariantCulture),
        PgTypeKind.Float4 => float.Parse(text, CultureInfo.InvariantCulture),
        PgTypeKind.Float8 => double.Parse(text, CultureInfo.InvariantCulture),
        PgTypeKind.Numeric => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        PgTypeKind.Uuid => Guid.Parse(text),
        PgTypeKind.Bytea when text.StartsWith("\\x", StringComparison.Ordinal) => Convert.FromHexString(text.AsSpan(2)),
        // Dates, times and timestamps stay text: DuckDB parses every ISO form PostgreSQL clients send.
        _ => text,
    };

    private static object DecodeBinary(int index, int oid, PgTypeKind? kind, byte[] value)
    {
        var span = value.AsSpan();
        return kind switch
        {
            PgTypeKind.Bool => Expect(span, 1, index)[0] != 0,
            PgTypeKind.Int2 => BinaryPrimitives.ReadInt16BigEndian(Expect(span, 2, index)),
            PgTypeKind.Int4 => BinaryPrimitives.ReadInt32BigEndian(Expect(span, 4, index)),
            PgTypeKind.Int8 => BinaryPrimitives.ReadInt64BigEndian(Expect(span, 8, index)),
            PgTypeKind.Float4 => BinaryPrimitives.ReadSingleBigEndian(Expect(span, 4, index)),
            PgTypeKind.Float8 => BinaryPrimitives.ReadDoubleBigEndian(Expect(span, 8, index)),
            PgTypeKind.Text or PgTypeKind.Varchar => Encoding.UTF8.GetString(span),
            // jsonb's binary format is a version byte (1) before the text.
            PgTypeKind.Json => Encoding.UTF8.GetString(oid == 3802 && span.Length > 0 ? span[1..] : span),
            PgTypeKind.Bytea => value,
            PgTypeKind.Uuid => new Guid(Expect(span, 16, index), bigEndian: true),
            PgTypeKind.Date => DateOnly.FromDayNumber(BinaryPrimitives.ReadInt32BigEndian(Expect(span, 4, index)) + s_epochDay),
            PgTypeKind.Time => new TimeOnly(BinaryPrimitives.ReadInt64BigEndian(Expect(span, 8, index)) * TimeSpan.TicksPerMicrosecond),
            PgTypeKind.Timestamp or PgTypeKind.TimestampTz =>
                DateTime.SpecifyKind(s_epoch.AddTicks(BinaryPrimitives.ReadInt64BigEndian(Expect(span, 8, index)) * TimeSpan.TicksPerMicrosecond), DateTimeKind.Unspecified),
            PgTypeKind.Numeric => PgNumeric.Read(new PgBody(value, value.Length)),
            _ => throw new PgException(PgSqlState.FeatureNotSupported, $"Parameter ${index + 1} is sent in binary as type OID {oid}, which the endpoint does not decode; send it as text."),
        };
    }

    private static ReadOnlySpan<byte> Expect(ReadOnlySpan<byte> span, int size, int index) =>
        span.Length == size ? span : throw new PgException(PgSqlState.ProtocolViolation, $"Parameter ${index + 1} has {span.Length} bytes; its binary type takes {size}.");
}
