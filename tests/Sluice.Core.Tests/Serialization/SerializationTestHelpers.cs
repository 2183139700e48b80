using Sluice.State.Serialization;

namespace Sluice.Core.Tests.Serialization;

internal static class SerializationTestHelpers
{
    public static byte[] Write<T>(T value)
    {
        var writer = new StateWriter(0);
        StateSerializers.For<T>().Write(writer, value);
        return writer.WrittenSpan.ToArray();
    }

    public static T Read<T>(byte[] bytes)
    {
        var reader = new StateReader(bytes);
        var value = StateSerializers.For<T>().Read(reader, 1);
        reader.EnsureAtEnd();
        return value;
    }

    public static T RoundTrip<T>(T value) => Read<T>(Write(value));

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}
