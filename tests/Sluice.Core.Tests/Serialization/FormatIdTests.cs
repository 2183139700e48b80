using Sluice.State.Serialization;

namespace Sluice.Core.Tests.Serialization;

/// <summary>Format ids are stored in checkpoints and compared on restore: any change here breaks old checkpoints.</summary>
public class FormatIdTests
{
    private static string Id<T>() => StateSerializers.For<T>().FormatId;

    [Fact]
    public void Primitives_HavePinnedIds()
    {
        Id<bool>().ShouldBe("bool");
        Id<byte>().ShouldBe("uint8");
        Id<sbyte>().ShouldBe("int8");
        Id<short>().ShouldBe("int16");
        Id<ushort>().ShouldBe("uint16");
        Id<char>().ShouldBe("char16");
        Id<int>().ShouldBe("int32");
        Id<uint>().ShouldBe("uint32");
        Id<long>().ShouldBe("int64");
        Id<ulong>().ShouldBe("uint64");
        Id<float>().ShouldBe("float32");
        Id<double>().ShouldBe("float64");
        Id<decimal>().ShouldBe("decimal");
        Id<string>().ShouldBe("utf8");
        Id<Guid>().ShouldBe("guid");
        Id<DateTime>().ShouldBe("datetime");
        Id<DateTimeOffset>().ShouldBe("datetimeoffset");
        Id<TimeSpan>().ShouldBe("timespan");
        Id<DateOnly>().ShouldBe("dateonly");
        Id<TimeOnly>().ShouldBe("timeonly");
        Id<byte[]>().ShouldBe("bytes");
        Id<StateSerializersTests.Color>().ShouldBe("enum(int32)");
        Id<StateSerializersTests.Small>().ShouldBe("enum(uint8)");
        Id<StateSerializersTests.Huge>().ShouldBe("enum(int64)");
    }

    [Fact]
    public void Composites_DescribeTheirParts()
    {
        Id<int?>().ShouldBe("nullable(int32)");
        Id<(string, long)>().ShouldBe("tuple2(utf8,int64)");
        Id<(int, bool, double)>().ShouldBe("tuple3(int32,bool,float64)");
        Id<(int, string, Guid, decimal)>().ShouldBe("tuple4(int32,utf8,guid,decimal)");
        Id<KeyValuePair<string, int>>().ShouldBe("tuple2(utf8,int32)");
        Id<List<int>>().ShouldBe("list(int32)");
        Id<long[]>().ShouldBe("list(int64)");
        Id<HashSet<string>>().ShouldBe("set(utf8)");
        Id<Dictionary<string, List<(int, double)>>>().ShouldBe("map(utf8,list(tuple2(int32,float64)))");
        Id<(List<string>, int?[])>().ShouldBe("tuple2(list(utf8),list(nullable(int32)))");
        Id<List<byte[]>>().ShouldBe("list(bytes)");
    }

    [Fact]
    public void Json_NamesTheTypeWithoutAssemblyVersions()
    {
        Id<JsonStateSerializerTests.Point>().ShouldBe("json:Sluice.Core.Tests.Serialization.JsonStateSerializerTests+Point");
        Id<JsonStateSerializerTests.Box<int>>().ShouldBe("json:Sluice.Core.Tests.Serialization.JsonStateSerializerTests+Box`1[System.Int32]");
        Id<JsonStateSerializerTests.Box<List<JsonStateSerializerTests.Point>>>().ShouldBe(
            "json:Sluice.Core.Tests.Serialization.JsonStateSerializerTests+Box`1[System.Collections.Generic.List`1[Sluice.Core.Tests.Serialization.JsonStateSerializerTests+Point]]");
        Id<List<JsonStateSerializerTests.Point>>().ShouldBe("list(json:Sluice.Core.Tests.Serialization.JsonStateSerializerTests+Point)");
        Id<Version>().ShouldBe("json:System.Version");
    }

    [Fact]
    public void AllBuiltIns_AreVersion1() =>
        new[]
        {
            StateSerializers.Describe<int>(), StateSerializers.Describe<string>(), StateSerializers.Describe<List<int>>(),
            StateSerializers.Describe<JsonStateSerializerTests.Point>(), StateSerializers.Describe<Dictionary<int, int>>(),
        }.ShouldAllBe(d => d.Version == 1);
}
