using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;
using Sluice.State.Serialization;
using static Sluice.Sql.Tests.Runtime.Aggregation.Aggregates;

namespace Sluice.Sql.Tests.Runtime.Aggregation;

/// <summary><see cref="AccumulatorSerializer"/> version 1, pinned by hand-written bytes.</summary>
public sealed class AccumulatorSerializerTests
{
    private static readonly Schema s_input = Schema.Parse("k STRING, v BIGINT, d DOUBLE");

    // Accumulator of GROUP BY k with COUNT(*), SUM(v), MIN(d): key0 VARCHAR, rows, agg0_0 (count), agg1_0 (sum), agg1_1 (non-null count), agg2_0 (min).
    private static RowAggregator Aggregator() => new(s_input, [0], [
        Call(AggregateKind.CountStar, "cnt", DataType.BigInt.NotNull()),
        Call(AggregateKind.Sum, "total", DataType.BigInt, 1),
        Call(AggregateKind.Min, "low", DataType.Double, 2),
    ], retracts: false);

    private static readonly byte[] s_golden =
    [
        0x01, // version 1
        0x01, 0x02, (byte)'a', (byte)'b', // key0 = "ab"
        0x01, 0x06, // rows = 3 (zig-zag)
        0x01, 0x06, // COUNT(*) = 3
        0x01, 0x0A, // SUM sum = 5
        0x01, 0x04, // SUM non-null count = 2
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x3F, // MIN = 1.5 (IEEE 754, little-endian)
    ];

    [Fact]
    public void Serialize_Version1_WritesTheGoldenBytes()
    {
        var aggregator = Aggregator();
        var accumulator = new Row(aggregator.AccumulatorSchema);
        accumulator.SetString(0, "ab");
        accumulator.SetInt64(1, 3);
        accumulator.SetInt64(2, 3);
        accumulator.SetInt64(3, 5);
        accumulator.SetInt64(4, 2);
        accumulator.SetDouble(5, 1.5);

        new AccumulatorSerializer(aggregator.AccumulatorSchema).Serialize(accumulator).ShouldBe(s_golden);
    }

    [Fact]
    public void SerializeReusing_SameLength_WritesTheGoldenBytesIntoTheGivenArray()
    {
        var aggregator = Aggregator();
        var serializer = new AccumulatorSerializer(aggregator.AccumulatorSchema);
        var accumulator = new Row(aggregator.AccumulatorSchema);
        serializer.Deserialize(s_golden, accumulator);
        var stored = new byte[s_golden.Length];

        var written = serializer.Serialize(accumulator, stored);

        written.ShouldBeSameAs(stored);
        written.ShouldBe(s_golden);
    }

    [Fact]
    public void SerializeReusing_LengthChanged_ReturnsANewArrayAndLeavesTheGivenOneAlone()
    {
        var aggregator = Aggregator();
        var serializer = new AccumulatorSerializer(aggregator.AccumulatorSchema);
        var accumulator = new Row(aggregator.AccumulatorSchema);
        serializer.Deserialize(s_golden, accumulator);
        accumulator.SetInt64(2, 64); // COUNT(*) = 64 takes two LEB128 bytes (0x80 0x01) instead of one
        var stored = new byte[s_golden.Length];

        var written = serializer.Serialize(accumulator, stored);

        written.ShouldNotBeSameAs(stored);
        stored.ShouldAllBe(b => b == 0);
        written.ShouldBe([.. s_golden[..7], 0x01, 0x80, 0x01, .. s_golden[9..]]);
    }

    [Fact]
    public void Deserialize_GoldenBytesWithANullMin_ReadsEveryFieldIntoTheReusedRow()
    {
        var aggregator = Aggregator();
        var serializer = new AccumulatorSerializer(aggregator.AccumulatorSchema);
        var accumulator = new Row(aggregator.AccumulatorSchema);
        serializer.Deserialize(s_golden, accumulator);
        byte[] withNullMin = [.. s_golden[..13], 0x00];

        serializer.Deserialize(withNullMin, accumulator);

        accumulator.ToString().ShouldBe("+I[ab, 3, 3, 5, 2, null]");
    }

    [Fact]
    public void Deserialize_UnknownVersion_StateFormatExceptionNamingTheVersion()
    {
        var aggregator = Aggregator();
        var serializer = new AccumulatorSerializer(aggregator.AccumulatorSchema);

        Should.Throw<StateFormatException>(() => serializer.Deserialize([0x02, .. s_golden[1..]], new Row(aggregator.AccumulatorSchema)))
            .Message.ShouldStartWith("SQL aggregation accumulator state has version 2; this build reads version 1.");
    }
}
