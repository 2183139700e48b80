using System.Buffers.Binary;

namespace Sluice.Formats.Registry.Avro;

/// <summary>
/// Avro's decimal logical type: the unscaled value as big-endian two's complement bytes, and the scale in the schema.
/// Sluice's DECIMAL is a .NET <see cref="decimal"/> (96-bit unscaled value, scale up to 28); a value beyond that is bad
/// data (<see cref="AvroDataException"/>). Stateless.
/// </summary>
internal static class AvroDecimals
{
    /// <summary>The decimal whose unscaled value is <paramref name="bytes"/> (big-endian two's complement) at <paramref name="scale"/>.</summary>
    /// <exception cref="AvroDataException">The value needs more than 96 bits, or the scale is beyond 28.</exception>
    public static decimal FromUnscaled(ReadOnlySpan<byte> bytes, int scale)
    {
        if (scale is < 0 or > 28)
        {
            throw new AvroDataException($"A decimal has scale {scale}; Sluice's DECIMAL holds scales 0 to 28.");
        }
        if (bytes.Length == 0)
        {
            return new decimal(0, 0, 0, false, (byte)scale);
        }
        var negative = (sbyte)bytes[0] < 0;
        // Sign-extend into 16 bytes, then check the top 32 bits are only sign.
        Span<byte> wide = stackalloc byte[16];
        wide.Fill(negative ? (byte)0xFF : (byte)0);
        if (bytes.Length > 16)
        {
            for (var i = 0; i < bytes.Length - 16; i++)
            {
                if (bytes[i] != (negative ? 0xFF : 0))
                {
                    throw TooLarge();
                }
            }
            bytes = bytes[^16..];
        }
        bytes.CopyTo(wide[(16 - bytes.Length)..]);
        var value = BinaryPrimitives.ReadInt128BigEndian(wide);
        var magnitude = negative ? (UInt128)(-(value + 1)) + 1 : (UInt128)value;
        if (magnitude >> 96 != 0)
        {
            throw TooLarge();
        }
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), (int)(uint)(magnitude >> 64), negative, (byte)scale);
    }

    /// <summary>Writes <paramref name="value"/> rescaled to <paramref name="scale"/> as its unscaled big-endian two's complement bytes (minimal length) into <paramref name="destination"/> (16 bytes); returns the length.</summary>
    /// <exception cref="FormatException">The value does not fit the scale's 96-bit unscaled range.</exception>
    public static int ToUnscaled(decimal value, int scale, Span<byte> destination)
    {
        var rescaled = Math.Round(value, scale, MidpointRounding.AwayFromZero);
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(rescaled, bits);
        var currentScale = (bits[3] >> 16) & 0xFF;
        UInt128 magnitude = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        for (var s = currentScale; s < scale; s++)
        {
            magnitude *= 10;
        }
        if (magnitude >> 96 != 0)
        {
            throw new FormatException($"The decimal {value} does not fit scale {scale}.");
        }
        var signed = bits[3] < 0 ? -(Int128)magnitude : (Int128)magnitude;
        Span<byte> wide = stackalloc byte[16];
        BinaryPrimitives.WriteInt128BigEndian(wide, signed);
        // Drop leading bytes that only repeat the sign of the next one.
        var start = 0;
        while (start < 15 && ((wide[start] == 0 && wide[start + 1] < 0x80) || (wide[start] == 0xFF && wide[start + 1] >= 0x80)))
        {
            start++;
        }
        wide[start..].CopyTo(destination);
        return 16 - start;
    }

    private static AvroDataException TooLarge() => new("A decimal's unscaled value needs more than 96 bits; Sluice's DECIMAL holds at most 28 digits.");
}
