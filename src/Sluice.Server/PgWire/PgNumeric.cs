using System.Globalization;
using System.Text;

namespace Sluice.Server.PgWire;

/// <summary>
/// PostgreSQL's binary <c>numeric</c>: Int16 digit count, Int16 weight (the power of 10000 of the first digit), Int16
/// sign (0x0000 positive, 0x4000 negative), Int16 display scale, then the base-10000 digits, most significant first,
/// without leading or trailing zero digits. Stateless.
/// </summary>
internal static class PgNumeric
{
    private const short Positive = 0x0000;
    private const short Negative = 0x4000;

    /// <summary>Writes the plain decimal text <paramref name="text"/> (<c>-123.4500</c>, no exponent) as binary numeric.</summary>
    public static void Write(PgMessageWriter writer, string text)
    {
        var negative = text.StartsWith('-');
        var unsigned = negative ? text.AsSpan(1) : text.AsSpan();
        var point = unsigned.IndexOf('.');
        var whole = (point < 0 ? unsigned : unsigned[..point]).TrimStart('0');
        var fraction = point < 0 ? [] : unsigned[(point + 1)..];
        var scale = (short)fraction.Length;

        // Pad the integer part on the left and the fraction on the right to whole groups of four decimal digits.
        var wholeGroups = (whole.Length + 3) / 4;
        var fractionGroups = (fraction.Length + 3) / 4;
        var groups = new short[wholeGroups + fractionGroups];
        var padded = new StringBuilder(groups.Length * 4)
            .Append('0', (wholeGroups * 4) - whole.Length).Append(whole)
            .Append(fraction).Append('0', (fractionGroups * 4) - fraction.Length).ToString();
        for (var g = 0; g < groups.Length; g++)
        {
            groups[g] = short.Parse(padded.AsSpan(g * 4, 4), CultureInfo.InvariantCulture);
        }
        var first = 0;
        while (first < groups.Length && groups[first] == 0)
        {
            first++;
        }
        var last = groups.Length - 1;
        while (last >= first && groups[last] == 0)
        {
            last--;
        }
        var count = last - first + 1;
        writer.WriteInt16((short)count);
        writer.WriteInt16(count == 0 ? (short)0 : (short)(wholeGroups - 1 - first));
        writer.WriteInt16(count == 0 || !negative ? Positive : Negative);
        writer.WriteInt16(scale);
        for (var g = first; g <= last; g++)
        {
            writer.WriteInt16(groups[g]);
        }
    }

    /// <summary>Reads a binary numeric parameter as a decimal.</summary>
    /// <exception cref="PgException">22P02: NaN or infinity, or a value outside decimal's range.</exception>
    public static decimal Read(PgBody body)
    {
        var count = body.ReadInt16("numeric digit count");
        var weight = body.ReadInt16("numeric weight");
        var sign = (ushort)body.ReadInt16("numeric sign");
        var scale = body.ReadInt16("numeric scale");
        if (sign is not (0x0000 or 0x4000))
        {
            throw new PgException(PgSqlState.InvalidTextRepresentation, "A numeric parameter is NaN or infinite, which the warehouse's DECIMAL cannot hold.");
        }
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Append(body.ReadInt16("numeric digit").ToString("0000", CultureInfo.InvariantCulture));
        }
        // The digits stand for text × 10000^(weight - count + 1).
        var exponent = (weight - count + 1) * 4;
        var digits = text.Length == 0 ? "0" : text.ToString();
        var value = exponent >= 0 ? digits + new string('0', exponent) : Shift(digits, -exponent);
        if (!decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var result))
        {
            throw new PgException(PgSqlState.InvalidTextRepresentation, $"The numeric parameter {value} is outside the range of a decimal.");
        }
        result = decimal.Round(result, Math.Min((int)scale, 28));
        return sign == 0x4000 ? -result : result;
    }

    private static string Shift(string digits, int places) =>
        digits.Length > places ? digits[..^places] + "." + digits[^places..] : "0." + new string('0', places - digits.Length) + digits;
}
