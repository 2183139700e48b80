using System.Text;
using Sluice.State.Serialization;
using static Sluice.Core.Tests.Serialization.SerializationTestHelpers;

namespace Sluice.Core.Tests.Serialization;

/// <summary>
/// Pins version 1 of every built-in encoding. The expected bytes were computed by hand from the format description
/// (little-endian fixed widths, LEB128, UTF-8), not produced by the code under test. If one of these fails, an
/// encoding changed and old checkpoints would no longer read: add a new version instead and keep reading this one.
/// </summary>
public class GoldenV1FormatTests
{
    private static void AssertGolden<T>(T value, string hex)
    {
        ToHex(Write(value)).ShouldBe(hex.Replace(" ", "", StringComparison.Ordinal));
        var back = Read<T>(Hex(hex));
        ToHex(Write(back)).ShouldBe(hex.Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Primitives()
    {
        AssertGolden(true, "01");
        AssertGolden(false, "00");
        AssertGolden((byte)0xAB, "AB");
        AssertGolden((sbyte)-1, "FF");
        AssertGolden((short)-2, "FE FF");
        AssertGolden((ushort)0x1234, "34 12");
        AssertGolden('A', "41 00");
        AssertGolden(1, "01 00 00 00");
        AssertGolden(-1, "FF FF FF FF");
        AssertGolden(0xDEADBEEFu, "EF BE AD DE");
        AssertGolden(0x0102030405060708L, "08 07 06 05 04 03 02 01");
        AssertGolden(long.MinValue, "00 00 00 00 00 00 00 80");
        AssertGolden(ulong.MaxValue, "FF FF FF FF FF FF FF FF");
        AssertGolden(1.0f, "00 00 80 3F");
        AssertGolden(1.0, "00 00 00 00 00 00 F0 3F");
        AssertGolden(-0.0, "00 00 00 00 00 00 00 80");
        AssertGolden(double.NaN, "00 00 00 00 00 00 F8 FF");
    }

    [Fact]
    public void Decimals_AreLoMidHiFlags()
    {
        AssertGolden(1.5m, "0F 00 00 00  00 00 00 00  00 00 00 00  00 00 01 00");
        AssertGolden(-1.5m, "0F 00 00 00  00 00 00 00  00 00 00 00  00 00 01 80");
        AssertGolden(decimal.MaxValue, "FF FF FF FF  FF FF FF FF  FF FF FF FF  00 00 00 00");
    }

    [Fact]
    public void GuidAndTime()
    {
        AssertGolden(Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"), "33 22 11 00 55 44 77 66 88 99 AA BB CC DD EE FF");
        // 2000-01-01T00:00:00 = 630822816000000000 ticks = 0x08C1220247E44000; Utc kind (1) in bits 62-63.
        AssertGolden(new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc), "00 40 E4 47 02 22 C1 48");
        AssertGolden(new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified), "00 40 E4 47 02 22 C1 08");
        AssertGolden(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.FromHours(2)), "00 40 E4 47 02 22 C1 08  78 00");
        AssertGolden(TimeSpan.FromSeconds(1), "80 96 98 00 00 00 00 00");
        AssertGolden(new DateOnly(2000, 1, 1), "07 24 0B 00"); // day number 730119
        AssertGolden(new TimeOnly(12, 0), "00 E0 34 95 64 00 00 00"); // 432000000000 ticks
    }

    [Fact]
    public void Strings_AreVarIntByteLengthThenUtf8()
    {
        AssertGolden("", "00");
        AssertGolden<string>(null!, "FF FF FF FF 0F");
        AssertGolden("hi", "02 68 69");
        AssertGolden("é", "02 C3 A9");
        AssertGolden("€", "03 E2 82 AC");
        AssertGolden("😀", "04 F0 9F 98 80");
        AssertGolden(new string('a', 200), "C8 01" + string.Concat(Enumerable.Repeat("61", 200)));
    }

    [Fact]
    public void EnumsBytesAndComposites()
    {
        AssertGolden(StateSerializersTests.Color.Blue, "02 00 00 00");
        AssertGolden(StateSerializersTests.Small.B, "C8");
        AssertGolden<byte[]>([1, 2, 3], "03 01 02 03");
        AssertGolden<byte[]>(null!, "FF FF FF FF 0F");
        AssertGolden<int?>(null, "00");
        AssertGolden<int?>(5, "01 05 00 00 00");
        AssertGolden(("a", 1L), "01 61  01 00 00 00 00 00 00 00");
        AssertGolden((1, true, "é"), "01 00 00 00  01  02 C3 A9");
        AssertGolden(((byte)1, (byte)2, (byte)3, (byte)4), "01 02 03 04");
        AssertGolden(new KeyValuePair<string, int>("k", 2), "01 6B  02 00 00 00");
        AssertGolden(new List<int> { 1, 2 }, "02  01 00 00 00  02 00 00 00");
        AssertGolden(new[] { "a", null, "" }, "03  01 61  FF FF FF FF 0F  00");
        AssertGolden(new List<long>(), "00");
        AssertGolden<List<long>>(null!, "FF FF FF FF 0F");
        AssertGolden(new HashSet<int> { 7 }, "01  07 00 00 00");
        AssertGolden(new Dictionary<string, int> { ["a"] = 1 }, "01  01 61  01 00 00 00");
        AssertGolden((new List<string> { "x" }, new Dictionary<int, byte[]> { [3] = [9] }), "01 01 78  01 03 00 00 00 01 09");
    }

    [Fact]
    public void Json_IsLengthPrefixedDefaultSystemTextJson()
    {
        // Default System.Text.Json output: property names as declared, non-ASCII escaped, no whitespace.
        const string json = """{"X":1,"Name":"\u00E9"}""";
        json.Length.ShouldBe(23);
        AssertGolden(new JsonStateSerializerTests.Point(1, "é"), "17" + Convert.ToHexString(Encoding.ASCII.GetBytes(json)));
        const string box = """{"Value":{"Item1":1,"Item2":[2.5,"NaN"]}}""";
        box.Length.ShouldBe(41);
        AssertGolden(
            new JsonStateSerializerTests.Box<(int, List<double>)>((1, [2.5, double.NaN])),
            "29" + Convert.ToHexString(Encoding.ASCII.GetBytes(box)));
    }

    [Fact]
    public void WriterPrimitives_VarIntsAndDescriptor()
    {
        var w = new StateWriter(0);
        w.WriteVarInt32(300);
        w.WriteVarInt64(0);
        w.WriteZigZagInt32(-3);
        w.WriteZigZagInt64(3);
        w.WriteLength(128);
        w.WriteNullLength();
        w.WriteBytes([0xEE]);
        w.WriteRaw([0xDD]);
        new SerializerDescriptor("int32", 1).WriteTo(w);
        ToHex(w.WrittenSpan).ShouldBe("AC02" + "00" + "05" + "06" + "8001" + "FFFFFFFF0F" + "01EE" + "DD" + "05696E743332" + "01");
    }
}
