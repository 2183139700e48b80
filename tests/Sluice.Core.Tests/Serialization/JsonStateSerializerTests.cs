using System.Text;
using Sluice.State.Serialization;
using static Sluice.Core.Tests.Serialization.SerializationTestHelpers;

namespace Sluice.Core.Tests.Serialization;

public class JsonStateSerializerTests
{
    public sealed record Point(int X, string Name);

    public sealed record Box<T>(T Value);

    public sealed record Order(string Id, Point At, List<Point> Path, Dictionary<string, (int Count, double Sum)> Totals, (long, string) Pair, decimal Amount);

    public struct MutableStruct
    {
        public int A;
        public string? B { get; set; }
    }

    public sealed class PlainClass
    {
        public long Id { get; set; }
        public List<string> Tags { get; set; } = [];
    }

    public sealed record AccountV1(string Id, long Balance);

    public sealed record AccountV2(string Id, long Balance, string Currency = "EUR", List<string>? Notes = null);

    public sealed record WithDouble(double Value);

    [Fact]
    public void Record_WithNestedRecordsCollectionsAndTuples_RoundTrips()
    {
        var order = new Order(
            "o-1",
            new Point(1, "é"),
            [new Point(2, "a"), new Point(3, "")],
            new() { ["x"] = (2, 3.5) },
            (long.MinValue, "tuple"),
            decimal.MaxValue);
        var back = RoundTrip(order);
        back.Id.ShouldBe("o-1");
        back.At.ShouldBe(order.At);
        back.Path.ShouldBe(order.Path);
        back.Totals["x"].ShouldBe((2, 3.5));
        back.Pair.ShouldBe((long.MinValue, "tuple"));
        back.Amount.ShouldBe(decimal.MaxValue);
    }

    [Fact]
    public void StructAndClass_RoundTrip()
    {
        var s = RoundTrip(new MutableStruct { A = 5, B = "b" });
        s.A.ShouldBe(5);
        s.B.ShouldBe("b");
        var c = RoundTrip(new PlainClass { Id = 9, Tags = ["t"] });
        c.Id.ShouldBe(9);
        c.Tags.ShouldBe(["t"]);
        RoundTrip<Point>(null!).ShouldBeNull();
    }

    [Fact]
    public void NaNAndInfinity_DoNotFailTheCheckpoint()
    {
        double.IsNaN(RoundTrip(new WithDouble(double.NaN)).Value).ShouldBeTrue();
        RoundTrip(new WithDouble(double.PositiveInfinity)).Value.ShouldBe(double.PositiveInfinity);
    }

    [Fact]
    public void AddedMembers_ReadAsDefaults_RemovedMembersAreIgnored()
    {
        var v1Bytes = Write(new AccountV1("a", 10));
        var v2 = StateSerializers.For<AccountV2>().Read(new StateReader(v1Bytes), 1);
        v2.ShouldBe(new AccountV2("a", 10));

        var v2Bytes = Write(new AccountV2("b", 20, "USD", ["n"]));
        StateSerializers.For<AccountV1>().Read(new StateReader(v2Bytes), 1).ShouldBe(new AccountV1("b", 20));
    }

    [Fact]
    public void Bytes_AreLengthPrefixedJson()
    {
        var bytes = Write(new Point(1, "a"));
        var json = """{"X":1,"Name":"a"}""";
        bytes[0].ShouldBe((byte)json.Length);
        Encoding.UTF8.GetString(bytes, 1, bytes.Length - 1).ShouldBe(json);
    }

    [Fact]
    public void LongJson_GetsMultiBytePrefix_AndFollowingValuesStayIntact()
    {
        var big = new Box<string>(new string('x', 1000));
        var w = new StateWriter(8);
        w.WriteInt32(77);
        StateSerializers.For<Box<string>>().Write(w, big);
        w.WriteInt32(88);
        var r = new StateReader(w.WrittenMemory);
        r.ReadInt32().ShouldBe(77);
        StateSerializers.For<Box<string>>().Read(r, 1).ShouldBe(big);
        r.ReadInt32().ShouldBe(88);
        r.EnsureAtEnd();
    }

    [Fact]
    public void InvalidJson_ThrowsStateFormatException()
    {
        var ex = Should.Throw<StateFormatException>(() => Read<Point>(Hex("03 7B 7B 7D")));
        ex.Message.ShouldContain("offset 0");
        ex.InnerException.ShouldNotBeNull();
    }

    [Fact]
    public void Write_FailingSerialization_LeavesWriterUnchanged()
    {
        var w = new StateWriter();
        w.WriteInt32(1);
        var cyclic = new Node();
        cyclic.Next = cyclic;
        Should.Throw<System.Text.Json.JsonException>(() => StateSerializers.For<Node>().Write(w, cyclic));
        w.Length.ShouldBe(4);
        StateSerializers.For<Point>().Write(w, new Point(1, "a"));
        var r = new StateReader(w.WrittenMemory);
        r.ReadInt32().ShouldBe(1);
        StateSerializers.For<Point>().Read(r, 1).ShouldBe(new Point(1, "a"));
    }

    public sealed class Node
    {
        public Node? Next { get; set; }
    }
}
