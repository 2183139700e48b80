using System.Buffers;

namespace Sluice.Connectors.Log;

/// <summary>Writes the string as UTF-8 (a null string is a tombstone) and an optional text key. Thread-safe.</summary>
public sealed class Utf8StringLogSerializer : ILogSerializer<string>
{
    private readonly Func<string, string?>? _key;

    /// <summary>Creates the serializer.</summary>
    /// <param name="key">Selects the record's key (null result = no key); null = records without key.</param>
    public Utf8StringLogSerializer(Func<string, string?>? key = null) => _key = key;

    /// <inheritdoc />
    public bool TryWriteKey(string value, IBufferWriter<byte> key) => _key is not null && Utf8KeyWriter.TryWrite(_key(value), key);

    /// <inheritdoc />
    public bool TryWriteValue(string value, IBufferWriter<byte> destination) => Utf8KeyWriter.TryWrite(value, destination);
}
