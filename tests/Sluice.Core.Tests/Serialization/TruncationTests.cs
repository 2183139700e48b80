using Sluice.State.Serialization;
using static Sluice.Core.Tests.Serialization.SerializationTestHelpers;

namespace Sluice.Core.Tests.Serialization;

public class TruncationTests
{
    private static void AssertEveryCutThrows<T>(T value)
    {
        var bytes = Write(value);
        bytes.Length.ShouldBeGreaterThan(1);
        for (var cut = 0; cut < bytes.Length; cut++)
        {
            var reader = new StateReader(bytes.AsMemory(0, cut));
            var ex = Should.Throw<StateFormatException>(
                () => StateSerializers.For<T>().Read(reader, 1),
                $"cut at {cut} of {bytes.Length}");
            ex.Message.ShouldContain("offset");
        }
        Read<T>(bytes); // the whole input still reads
    }

    [Fact]
    public void TupleOfListAndDictionary() =>
        AssertEveryCutThrows((new List<(string, long)> { ("key", 1), ("é", -1) }, new Dictionary<int, string?> { [1] = "x", [2] = null }));

    [Fact]
    public void NestedCollections() =>
        AssertEveryCutThrows(new Dictionary<string, HashSet<Guid>> { ["a"] = [Guid.NewGuid()], ["b"] = [] });

    [Fact]
    public void ArraysOfNullables() => AssertEveryCutThrows(new[] { (int?)1, null, 3 });

    [Fact]
    public void TimeValues() => AssertEveryCutThrows((DateTime.UtcNow, DateTimeOffset.Now, decimal.MinValue, TimeSpan.MaxValue));

    [Fact]
    public void JsonRecord() =>
        AssertEveryCutThrows(new JsonStateSerializerTests.Order(
            "o", new(1, "p"), [new(2, "q")], new() { ["k"] = (1, 2) }, (3, "t"), 1m));

    [Fact]
    public void CorruptBytes_OnlyEverThrowStateFormatException()
    {
        var random = new Random(1234);
        var value = (new List<(string, long)> { ("key", 1), ("ü", -1) }, new Dictionary<int, string?> { [1] = "x", [2] = null }, 2.5m, DateTime.UtcNow);
        var original = Write(value);
        var serializer = StateSerializers.For<(List<(string, long)>, Dictionary<int, string?>, decimal, DateTime)>();
        for (var i = 0; i < 5000; i++)
        {
            var bytes = (byte[])original.Clone();
            var flips = 1 + random.Next(3);
            for (var f = 0; f < flips; f++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            try
            {
                serializer.Read(new StateReader(bytes), 1);
            }
            catch (StateFormatException)
            {
            }
        }
    }
}
