using System.Buffers;
using System.Text;
using Sluice.Schemas;

namespace Sluice.Formats.Tests;

internal static class FormatTestSupport
{
    public static string Write(IRowSerializer serializer, Row row)
    {
        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(row, buffer).ShouldBeTrue();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static Row Read(IRowDeserializer deserializer, string text)
    {
        var ok = deserializer.TryDeserialize(Encoding.UTF8.GetBytes(text), out var row, out var error);
        ok.ShouldBeTrue(error?.Message);
        row.ShouldNotBeNull();
        return row;
    }

    public static FormatError Fail(IRowDeserializer deserializer, string text)
    {
        deserializer.TryDeserialize(Encoding.UTF8.GetBytes(text), out var row, out var error).ShouldBeFalse();
        row.ShouldBeNull();
        return error!;
    }

    public static Dictionary<string, string> Options(params (string Key, string Value)[] options)
    {
        var result = new Dictionary<string, string>();
        foreach (var (key, value) in options)
        {
            result[key] = value;
        }
        return result;
    }

    /// <summary>A schema of one field of every scalar type, and a row of it with hand-picked values.</summary>
    public static readonly Schema Primitives = Schema.Parse(
        "b BOOLEAN, i INT, l BIGINT, f FLOAT, d DOUBLE, m DECIMAL(10, 2), s STRING, y BYTES, dt DATE, t TIME(3), ts TIMESTAMP(3), ltz TIMESTAMP_LTZ(3)");

    public static Row PrimitiveRow(string text = "héllo") => Row.Of(Primitives,
        true, 42, -9_000_000_000L, 1.5f, 0.25, 12.3m, text, new byte[] { 1, 2, 3 },
        new DateOnly(2024, 2, 29), new TimeOnly(13, 14, 15, 120), new DateTime(2020, 12, 30, 12, 13, 14, 123),
        new DateTimeOffset(2020, 12, 30, 12, 13, 14, TimeSpan.Zero));
}
