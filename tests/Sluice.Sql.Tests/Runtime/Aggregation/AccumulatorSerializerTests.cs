using CsCheck;
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

    // Every field fixed-width: written straight into the scratch array, not through StateWriter.
    private static readonly Schema s_fixed = Schema.Parse(
        "key0 BIGINT, rows BIGINT NOT NULL, agg0_0 BIGINT NOT NULL, ws TIMESTAMP(3), d DOUBLE, b BOOLEAN, i INT, dt DATE, f FLOAT");

    private static readonly byte[] s_fixedGolden =
    [
        0x01, // version 1
        0x01, 0x01, // key0 = -1 (zig-zag 1)
        0x01, 0x80, 0x01, // rows = 64 (zig-zag 128: two LEB128 bytes)
        0x01, 0xD8, 0x04, // agg0_0 = 300 (zig-zag 600)
        0x00, // ws = null
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x3F, // d = 1.5
        0x01, 0x01, // b = TRUE
        0x01, 0x03, // i = -2 (zig-zag 3)
        0x01, 0x02, // dt = 0001-01-02 (day number 1, zig-zag 2)
        0x01, 0x00, 0x00, 0x80, 0x3F, // f = 1.0f
    ];

    [Fact]
    public void SerializeFixedWidth_Version1_WritesTheGoldenBytes()
    {
        var accumulator = new Row(s_fixed);
        accumulator.SetInt64(0, -1);
        accumulator.SetInt64(1, 64);
        accumulator.SetInt64(2, 300);
        accumulator.SetDouble(4, 1.5);
        accumulator.SetBoolean(5, true);
        accumulator.SetInt32(6, -2);
        accumulator.SetDate(7, DateOnly.FromDayNumber(1));
        accumulator.SetSingle(8, 1.0f);
        var serializer = new AccumulatorSerializer(s_fixed);

        serializer.Serialize(accumulator, reuse: null).ShouldBe(s_fixedGolden);
        var stored = new byte[s_fixedGolden.Length];
        serializer.Serialize(accumulator, stored).ShouldBeSameAs(stored);
        stored.ShouldBe(s_fixedGolden);
    }

    [Fact]
    public void DeserializeFixedWidth_GoldenBytes_ReadsEveryField()
    {
        var accumulator = new Row(s_fixed);
        accumulator.SetTimestamp(3, new DateTime(2026, 12, 8)); // overwritten with the stored null

        new AccumulatorSerializer(s_fixed).Deserialize(s_fixedGolden, accumulator);

        accumulator.ToString().ShouldBe("+I[-1, 64, 300, null, 1.5, true, -2, 0001-01-02, 1]");
    }

    [Theory]
    [InlineData("i INT", new byte[] { 0x01, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 }, "longer than 5 bytes")] // 6-byte 32-bit varint
    [InlineData("i INT", new byte[] { 0x01, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F }, "exceeds 32 bits")] // 35 bits
    [InlineData("n BIGINT", new byte[] { 0x01, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02 }, "exceeds 64 bits")] // 10th byte > 1
    [InlineData("n BIGINT", new byte[] { 0x01, 0x01, 0x80, 0x80 }, "Truncated")]
    public void DeserializeFixedWidth_OverlongOrTruncatedNumber_StateFormatExceptionAsTheCheckedRead(string schema, byte[] bytes, string message)
    {
        var serializer = new AccumulatorSerializer(Schema.Parse(schema));

        var error = Should.Throw<StateFormatException>(() => serializer.Deserialize(bytes, new Row(serializer.Schema)));

        error.Message.ShouldContain(message);
        error.Message.ShouldBe(Should.Throw<StateFormatException>(() => serializer.ReadChecked(bytes, new Row(serializer.Schema))).Message);
        serializer.CheckedReads.ShouldBe(1);
    }

    [Fact]
    public void DeserializeFixedWidth_TenByteBigInt_ReadDirectly()
    {
        var serializer = new AccumulatorSerializer(Schema.Parse("n BIGINT"));
        var row = new Row(serializer.Schema);

        serializer.Deserialize([0x01, 0x01, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], row); // zig-zag of long.MaxValue

        row.GetInt64(0).ShouldBe(long.MaxValue);
        serializer.CheckedReads.ShouldBe(0);
    }

    private static readonly string[] s_kinds =
        ["BIGINT", "INT", "BOOLEAN", "DOUBLE", "FLOAT", "DATE", "TIME(3)", "TIMESTAMP(3)", "TIMESTAMP_LTZ(3)", "VARCHAR", "BYTES", "DECIMAL(12, 2)"];

    // BIGINTs whose zig-zag LEB128 forms take 8 to 10 bytes: ±2^55 (9 and 8), ±(2^62 − 1) (9), the extremes (10).
    private static readonly long[] s_wideLongs = [1L << 55, -(1L << 55), (1L << 62) - 1, -((1L << 62) - 1), long.MaxValue, long.MinValue, long.MaxValue - 1, long.MinValue + 1];

    /// <summary>A random accumulator schema (fixed-width kinds, sometimes a VARCHAR or DECIMAL) and rows of it, from <paramref name="seed"/>.</summary>
    private static (Schema Schema, Row[] Rows) RandomAccumulators(int seed)
    {
        var random = new Random(seed);
        var mixed = random.Next(3) == 0;
        var fields = new List<string>();
        for (var i = 0; i < 1 + random.Next(8); i++)
        {
            var kind = s_kinds[random.Next(mixed ? s_kinds.Length : s_kinds.Length - 3)];
            fields.Add($"f{i} {kind}{(random.Next(3) == 0 ? " NOT NULL" : "")}");
        }
        var schema = Schema.Parse(string.Join(", ", fields));
        var rows = new Row[20];
        for (var r = 0; r < rows.Length; r++)
        {
            var row = rows[r] = new Row(schema);
            for (var i = 0; i < schema.Count; i++)
            {
                if (schema[i].Type.IsNullable && random.Next(4) == 0)
                {
                    continue;
                }
                // Extremes as well as small values: the widest LEB128 forms and the zig-zag of negative numbers.
                var wide = random.Next(3) == 0;
                long Long() => wide ? s_wideLongs[random.Next(s_wideLongs.Length)] : random.Next(-300, 300);
                switch (schema[i].Type.Kind)
                {
                    case DataTypeKind.BigInt:
                        row.SetInt64(i, Long());
                        break;
                    case DataTypeKind.Int:
                        row.SetInt32(i, wide ? (random.Next(2) == 0 ? int.MaxValue : int.MinValue) : random.Next(-300, 300));
                        break;
                    case DataTypeKind.Boolean:
                        row.SetBoolean(i, random.Next(2) == 0);
                        break;
                    case DataTypeKind.Double:
                        row.SetDouble(i, wide ? double.NegativeInfinity : random.NextDouble() * 1e6);
                        break;
                    case DataTypeKind.Float:
                        row.SetSingle(i, wide ? float.NaN : (float)random.NextDouble());
                        break;
                    case DataTypeKind.Date:
                        row.SetDate(i, DateOnly.FromDayNumber(wide ? DateOnly.MaxValue.DayNumber : random.Next(800_000)));
                        break;
                    case DataTypeKind.Time:
                        row.SetTime(i, new TimeOnly(random.NextInt64(TimeOnly.MaxValue.Ticks / 10_000) * 10_000));
                        break;
                    case DataTypeKind.Timestamp:
                        row.SetTimestamp(i, new DateTime(random.NextInt64(DateTime.MaxValue.Ticks / 10_000) * 10_000));
                        break;
                    case DataTypeKind.TimestampLtz:
                        row.SetTimestampLtz(i, new DateTimeOffset(random.NextInt64(DateTime.MaxValue.Ticks / 10_000) * 10_000, TimeSpan.Zero));
                        break;
                    case DataTypeKind.Varchar:
                        row.SetString(i, new string('é', random.Next(4)));
                        break;
                    case DataTypeKind.Bytes:
                        row.SetBytes(i, [.. Enumerable.Range(0, random.Next(4)).Select(b => (byte)b)]);
                        break;
                    default:
                        row.SetDecimal(i, random.Next(-100_000, 100_000) / 100m);
                        break;
                }
            }
        }
        return (schema, rows);
    }

    [Fact]
    public void AnyAccumulator_DirectWriteAndRead_MatchTheStateWriterAndReaderPaths()
    {
        Gen.Int.Sample(seed =>
        {
            var (schema, rows) = RandomAccumulators(seed);
            var serializer = new AccumulatorSerializer(schema);
            var read = new Row(schema);
            var checkedRead = new Row(schema);
            foreach (var row in rows)
            {
                var bytes = serializer.Serialize(row); // through StateWriter, pinned by the golden bytes above
                serializer.Serialize(row, reuse: null).ShouldBe(bytes);
                var stored = new byte[bytes.Length];
                serializer.Serialize(row, stored).ShouldBeSameAs(stored);
                stored.ShouldBe(bytes);

                serializer.Deserialize(bytes, read);
                read.ShouldBe(row);
                serializer.ReadChecked(bytes, checkedRead);
                checkedRead.ShouldBe(row);
            }

            serializer.CheckedReads.ShouldBe(0, "well-formed bytes are read directly");
            serializer.WritesDirect.ShouldBe(Enumerable.Range(0, schema.Count).All(i => schema[i].Type.Kind is not (DataTypeKind.Varchar or DataTypeKind.Bytes or DataTypeKind.Decimal)));
        }, iter: 300);
    }

    [Fact]
    public void AnyDamagedAccumulator_DirectRead_EndsAsTheCheckedReadDoes()
    {
        // A flipped, dropped or appended byte: the read either gives the row the checked read gives, or throws what it
        // throws (StateFormatException naming the offset, or the row's own error for a value it refuses).
        Gen.Int.Sample(seed =>
        {
            var (schema, rows) = RandomAccumulators(seed);
            var serializer = new AccumulatorSerializer(schema);
            var random = new Random(~seed); // the damage, apart from the schema and rows drawn from seed
            foreach (var row in rows)
            {
                var bytes = serializer.Serialize(row);
                var at = random.Next(bytes.Length);
                byte[] damaged = random.Next(3) switch
                {
                    0 => [.. bytes[..at], (byte)(bytes[at] ^ (1 << random.Next(8))), .. bytes[(at + 1)..]],
                    1 => bytes[..at],
                    _ => [.. bytes, (byte)random.Next(256)],
                };

                var direct = new Row(schema);
                var expected = new Row(schema);
                var directOutcome = Outcome(() => serializer.Deserialize(damaged, direct));
                var expectedOutcome = Outcome(() => serializer.ReadChecked(damaged, expected));

                directOutcome.ShouldBe(expectedOutcome);
                if (expectedOutcome == "read")
                {
                    direct.ShouldBe(expected);
                }
            }
        }, iter: 300);

        static string Outcome(Action read)
        {
            try
            {
                read();
                return "read";
            }
            catch (Exception e)
            {
                return $"{e.GetType().Name}: {e.Message}";
            }
        }
    }
}
