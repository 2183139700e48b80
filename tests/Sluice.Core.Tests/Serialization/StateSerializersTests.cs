using Sluice.State.Serialization;
using static Sluice.Core.Tests.Serialization.SerializationTestHelpers;

namespace Sluice.Core.Tests.Serialization;

public class StateSerializersTests
{
    public enum Color
    {
        Red,
        Green,
        Blue,
    }

    public enum Small : byte
    {
        A = 1,
        B = 200,
    }

    public enum Huge : long
    {
        Min = long.MinValue,
        Max = long.MaxValue,
    }

    public enum Tiny : sbyte
    {
        Minus = -5,
    }

    [Fact]
    public void Primitives_RoundTripEdgeValues()
    {
        RoundTrip(true).ShouldBeTrue();
        RoundTrip(false).ShouldBeFalse();
        RoundTrip(byte.MaxValue).ShouldBe(byte.MaxValue);
        RoundTrip(sbyte.MinValue).ShouldBe(sbyte.MinValue);
        RoundTrip(short.MinValue).ShouldBe(short.MinValue);
        RoundTrip(ushort.MaxValue).ShouldBe(ushort.MaxValue);
        RoundTrip('\uFFFF').ShouldBe('\uFFFF');
        RoundTrip(int.MinValue).ShouldBe(int.MinValue);
        RoundTrip(uint.MaxValue).ShouldBe(uint.MaxValue);
        RoundTrip(long.MinValue).ShouldBe(long.MinValue);
        RoundTrip(long.MaxValue).ShouldBe(long.MaxValue);
        RoundTrip(ulong.MaxValue).ShouldBe(ulong.MaxValue);
        RoundTrip(float.Epsilon).ShouldBe(float.Epsilon);
        float.IsNaN(RoundTrip(float.NaN)).ShouldBeTrue();
        double.IsNaN(RoundTrip(double.NaN)).ShouldBeTrue();
        RoundTrip(double.MaxValue).ShouldBe(double.MaxValue);
        RoundTrip(double.NegativeInfinity).ShouldBe(double.NegativeInfinity);
        BitConverter.DoubleToInt64Bits(RoundTrip(-0.0)).ShouldBe(BitConverter.DoubleToInt64Bits(-0.0));
        RoundTrip(decimal.MaxValue).ShouldBe(decimal.MaxValue);
        RoundTrip(decimal.MinValue).ShouldBe(decimal.MinValue);
        RoundTrip(0.0000000000000000000000000001m).ShouldBe(0.0000000000000000000000000001m);
        var guid = Guid.NewGuid();
        RoundTrip(guid).ShouldBe(guid);
        RoundTrip(Guid.Empty).ShouldBe(Guid.Empty);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("é")]
    [InlineData("Zürich ✓ 😀")]
    public void String_RoundTripsIncludingNull(string? value) => RoundTrip(value).ShouldBe(value);

    [Fact]
    public void TimeTypes_RoundTripWithKindAndOffset()
    {
        var utc = new DateTime(2024, 2, 29, 13, 45, 30, 123, DateTimeKind.Utc).AddTicks(4567);
        var local = new DateTime(2024, 2, 29, 13, 45, 30, DateTimeKind.Local);
        var unspecified = new DateTime(2024, 2, 29, 13, 45, 30, DateTimeKind.Unspecified);
        foreach (var value in new[] { utc, local, unspecified, DateTime.MinValue, DateTime.MaxValue })
        {
            var back = RoundTrip(value);
            back.Ticks.ShouldBe(value.Ticks);
            back.Kind.ShouldBe(value.Kind);
        }

        var dto = new DateTimeOffset(2024, 2, 29, 13, 45, 30, TimeSpan.FromMinutes(-570));
        var dtoBack = RoundTrip(dto);
        dtoBack.ShouldBe(dto);
        dtoBack.Offset.ShouldBe(dto.Offset);
        RoundTrip(DateTimeOffset.MinValue).ShouldBe(DateTimeOffset.MinValue);
        RoundTrip(DateTimeOffset.MaxValue).ShouldBe(DateTimeOffset.MaxValue);
        RoundTrip(TimeSpan.MinValue).ShouldBe(TimeSpan.MinValue);
        RoundTrip(TimeSpan.FromTicks(-1)).ShouldBe(TimeSpan.FromTicks(-1));
        RoundTrip(DateOnly.MaxValue).ShouldBe(DateOnly.MaxValue);
        RoundTrip(new DateOnly(2024, 2, 29)).ShouldBe(new DateOnly(2024, 2, 29));
        RoundTrip(TimeOnly.MaxValue).ShouldBe(TimeOnly.MaxValue);
    }

    [Fact]
    public void Enums_RoundTripAsUnderlyingInteger()
    {
        RoundTrip(Color.Blue).ShouldBe(Color.Blue);
        RoundTrip((Color)42).ShouldBe((Color)42);
        RoundTrip(Small.B).ShouldBe(Small.B);
        RoundTrip(Huge.Min).ShouldBe(Huge.Min);
        RoundTrip(Huge.Max).ShouldBe(Huge.Max);
        RoundTrip(Tiny.Minus).ShouldBe(Tiny.Minus);
        Write(Color.Blue).ShouldBe(Write(2));
        Write(Small.B).ShouldBe(new byte[] { 200 });
    }

    [Fact]
    public void ByteArray_RoundTripsIncludingNullAndEmpty()
    {
        RoundTrip<byte[]>([1, 2, 3]).ShouldBe(new byte[] { 1, 2, 3 });
        RoundTrip<byte[]>([]).ShouldBeEmpty();
        RoundTrip<byte[]>(null!).ShouldBeNull();
    }

    [Fact]
    public void Nullable_RoundTrips()
    {
        RoundTrip<int?>(null).ShouldBeNull();
        RoundTrip<int?>(0).ShouldBe(0);
        RoundTrip<long?>(long.MinValue).ShouldBe(long.MinValue);
        RoundTrip<Guid?>(null).ShouldBeNull();
        RoundTrip<(int, string)?>((1, "x")).ShouldBe((1, "x"));
    }

    [Fact]
    public void Tuples_RoundTrip()
    {
        RoundTrip(("key", 42L)).ShouldBe(("key", 42L));
        RoundTrip((1, (string?)null, 2.5)).ShouldBe((1, null, 2.5));
        RoundTrip((true, 'c', Color.Green, 9m)).ShouldBe((true, 'c', Color.Green, 9m));
        RoundTrip(new KeyValuePair<string, int>("k", 7)).ShouldBe(new KeyValuePair<string, int>("k", 7));
        Write(new KeyValuePair<string, long>("a", 1)).ShouldBe(Write(("a", 1L)));
    }

    [Fact]
    public void NestedTuplesOfLists_RoundTrip()
    {
        var value = (new List<(string, long)> { ("a", 1), ("", long.MinValue), (null!, 0) }, new[] { new List<int> { 1 }, [] });
        var back = RoundTrip(value);
        back.Item1.ShouldBe(value.Item1);
        back.Item2.Length.ShouldBe(2);
        back.Item2[0].ShouldBe([1]);
        back.Item2[1].ShouldBeEmpty();
    }

    [Fact]
    public void Collections_RoundTripIncludingNullAndEmpty()
    {
        RoundTrip(new List<int> { 1, -2, int.MaxValue }).ShouldBe([1, -2, int.MaxValue]);
        RoundTrip(new List<string>()).ShouldBeEmpty();
        RoundTrip<List<string>>(null!).ShouldBeNull();
        RoundTrip(new[] { "a", null, "" }).ShouldBe(["a", null, ""]);
        RoundTrip(Array.Empty<long>()).ShouldBeEmpty();
        RoundTrip<long[]>(null!).ShouldBeNull();
        RoundTrip(new HashSet<string> { "x", "y" }).SetEquals(["x", "y"]).ShouldBeTrue();
        RoundTrip<HashSet<int>>(null!).ShouldBeNull();
        Write(new[] { 1, 2 }).ShouldBe(Write(new List<int> { 1, 2 }));
    }

    [Fact]
    public void Dictionaries_RoundTrip()
    {
        var map = new Dictionary<string, List<(int, double)>>
        {
            ["a"] = [(1, 1.5)],
            ["é"] = [],
            ["n"] = null!,
        };
        var back = RoundTrip(map);
        back.Count.ShouldBe(3);
        back["a"].ShouldBe([(1, 1.5)]);
        back["é"].ShouldBeEmpty();
        back["n"].ShouldBeNull();
        RoundTrip(new Dictionary<Guid, Dictionary<int, string?>> { [Guid.Empty] = new() { [1] = null } })[Guid.Empty][1].ShouldBeNull();
        RoundTrip<Dictionary<int, int>>(null!).ShouldBeNull();
    }

    [Fact]
    public void Dictionary_DuplicateKeyInInput_Throws()
    {
        var bytes = Hex("02 01000000 0A000000 01000000 0B000000");
        Should.Throw<StateFormatException>(() => Read<Dictionary<int, int>>(bytes)).Message.ShouldContain("duplicate");
    }

    [Fact]
    public void Dictionary_NullKeyInInput_Throws() =>
        Should.Throw<StateFormatException>(() => Read<Dictionary<string, int>>(Hex("01 FFFFFFFF0F 01000000")));

    [Fact]
    public void HugeCountWithFewBytes_FailsOnTruncationWithoutHugeAllocation()
    {
        var bytes = Hex("FEFFFFFF07 01"); // count int.MaxValue - 1, one byte of items
        Should.Throw<StateFormatException>(() => Read<List<byte>>(bytes));
        Should.Throw<StateFormatException>(() => Read<byte[]>(bytes));
        Should.Throw<StateFormatException>(() => Read<long[]>(bytes));
        Should.Throw<StateFormatException>(() => Read<Dictionary<byte, byte>>(bytes));
        Should.Throw<StateFormatException>(() => Read<HashSet<byte>>(bytes));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(-1)]
    public void Read_UnknownVersion_Throws(int version)
    {
        Should.Throw<StateFormatException>(() => StateSerializers.For<int>().Read(new StateReader(new byte[4]), version))
            .Message.ShouldContain($"version {version}");
        Should.Throw<StateFormatException>(() => StateSerializers.For<List<int>>().Read(new StateReader(new byte[1]), version));
        Should.Throw<StateFormatException>(() => StateSerializers.For<JsonStateSerializerTests.Point>().Read(new StateReader(new byte[1]), version));
    }

    [Fact]
    public void For_CachesOneInstancePerType()
    {
        StateSerializers.For<(string, List<int>)>().ShouldBeSameAs(StateSerializers.For<(string, List<int>)>());
        StateSerializers.For<int>().ShouldBeSameAs(StateSerializers.For<int>());
    }

    [Theory]
    [InlineData(typeof(object))]
    [InlineData(typeof(IDisposable))]
    [InlineData(typeof(Stream))]
    [InlineData(typeof(Func<int>))]
    [InlineData(typeof(List<object>))]
    [InlineData(typeof(int[,]))]
    [InlineData(typeof((int, IComparable)))]
    public void For_TypeWithoutConcreteShape_ThrowsNotSupported(Type type)
    {
        var method = typeof(StateSerializers).GetMethod(nameof(StateSerializers.For))!.MakeGenericMethod(type);
        var ex = Should.Throw<System.Reflection.TargetInvocationException>(() => method.Invoke(null, null));
        ex.InnerException.ShouldBeOfType<NotSupportedException>().Message.ShouldContain("StateSerializers.Register");
    }

    [Fact]
    public void Describe_ReturnsFormatIdAndVersion() =>
        StateSerializers.Describe<(string, long)>().ShouldBe(new SerializerDescriptor("tuple2(utf8,int64)", 1));

    [Fact]
    public void SerializerDescriptor_RoundTripsAndChecksCompatibility()
    {
        var w = new StateWriter();
        new SerializerDescriptor("list(int32)", 3).WriteTo(w);
        ToHex(w.WrittenSpan).ShouldBe("0B" + Convert.ToHexString("list(int32)"u8) + "03");
        SerializerDescriptor.ReadFrom(new StateReader(w.WrittenMemory)).ShouldBe(new SerializerDescriptor("list(int32)", 3));

        var current = new SerializerDescriptor("utf8", 2);
        new SerializerDescriptor("utf8", 1).EnsureReadableBy(current, "op/state");
        new SerializerDescriptor("utf8", 2).EnsureReadableBy(current, "op/state");
        Should.Throw<StateFormatException>(() => new SerializerDescriptor("utf8", 3).EnsureReadableBy(current, "op/state"))
            .Message.ShouldContain("op/state");
        Should.Throw<StateFormatException>(() => new SerializerDescriptor("int64", 1).EnsureReadableBy(current, "op/state"))
            .Message.ShouldContain("'int64'");
        Should.Throw<StateFormatException>(() => SerializerDescriptor.ReadFrom(new StateReader(Hex("00 01"))));
    }
}
