using System.Buffers;

namespace Sluice.Connectors.Log;

/// <summary>Writes the bytes as the value (a null array is a tombstone) with an optional key selector. Thread-safe.</summary>
public sealed class ByteArrayLogSerializer : ILogSerializer<byte[]>
{
    private readonly Func<byte[], byte[]?>? _key;

    /// <summary>Creates the serializer.</summary>
    /// <param name="key">Selects the record's key bytes (null result = no key); null = records without key.</param>
    public ByteArrayLogSerializer(Func<byte[], byte[]?>? key = null) => _key = key;

    /// <inheritdoc />
    public bool TryWriteKey(byte[] value, IBufferWriter<byte> key)
    {
        if (_key?.Invoke(value) is not { } bytes)
        {
            return false;
        }
        key.Write(bytes);
        return true;
    }

    /// <inheritdoc />
    public bool TryWriteValue(byte[] value, IBufferWriter<byte> destination)
    {
        if (value is null)
        {
            return false;
        }
        destination.Write(value);
        return true;
    }
}
