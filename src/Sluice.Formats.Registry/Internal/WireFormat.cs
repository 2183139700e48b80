using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Sluice.Formats.Registry.Internal;

/// <summary>
/// Confluent's wire format: byte 0 is the magic byte 0, bytes 1–4 the schema id (big-endian), then the body. Stateless.
/// </summary>
internal static class WireFormat
{
    /// <summary>The header's length in bytes.</summary>
    public const int HeaderLength = 5;

    /// <summary>The schema id and body of <paramref name="data"/>, or false with the reason the header is bad.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out int id, out ReadOnlySpan<byte> body, [NotNullWhen(false)] out FormatError? error)
    {
        body = default;
        id = 0;
        if (data.Length < HeaderLength)
        {
            error = new FormatError(string.Create(CultureInfo.InvariantCulture,
                $"The record has {data.Length} bytes, fewer than the 5 of Confluent's wire format header (magic byte 0, 4-byte schema id)."));
            return false;
        }
        if (data[0] != 0)
        {
            error = new FormatError(string.Create(CultureInfo.InvariantCulture,
                $"The record starts with byte {data[0]}, not Confluent's magic byte 0: it was not written by a schema-registry serializer."));
            return false;
        }
        id = BinaryPrimitives.ReadInt32BigEndian(data[1..]);
        body = data[HeaderLength..];
        error = null;
        return true;
    }

    /// <summary>Writes the header of schema <paramref name="id"/>.</summary>
    public static void Write(IBufferWriter<byte> destination, int id)
    {
        var span = destination.GetSpan(HeaderLength);
        span[0] = 0;
        BinaryPrimitives.WriteInt32BigEndian(span[1..], id);
        destination.Advance(HeaderLength);
    }
}
