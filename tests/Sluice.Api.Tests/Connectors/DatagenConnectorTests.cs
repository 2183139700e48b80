using CsCheck;
using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Datagen;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Testing;

namespace Sluice.Api.Tests.Connectors;

public sealed class DatagenConnectorTests
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);
    private static readonly ConnectorRegistry s_registry = new ConnectorRegistry().Register(new DatagenConnectorFactory());

    private static Dictionary<string, string> Options(params (string Key, string Value)[] options)
    {
        var all = new Dictionary<string, string> { ["connector"] = "datagen" };
        foreach (var (key, value) in options)
        {
            all[key] = value;
        }
        return all;
    }

    private static (JobTestDriver Driver, CollectSink<Row> Sink) Job(string schema, int parallelism, params (string Key, string Value)[] options)
    {
        var driver = new JobTestDriver(new JobOptions { Parallelism = parallelism }, s_start);
        var source = s_registry.CreateSource("t", Schema.Parse(schema), Options(options));
        var sink = driver.Environment.FromSource(source, name: "datagen").Collect();
        return (driver, sink);
    }

    private static DatagenSource Source(string schema, params (string Key, string Value)[] options) =>
        (DatagenSource)s_registry.CreateSource("t", Schema.Parse(schema), Options(options));

    private static ConfigOptionsException Rejected(string schema, params (string Key, string Value)[] options) =>
        Should.Throw<ConfigOptionsException>(() => Source(schema, options));

    [Fact]
    public void Datagen_EveryType_GeneratesValuesOfTheTypeWithinTheOptions()
    {
        var (driver, sink) = Job(
            "b BOOLEAN, i INT, l BIGINT, f FLOAT, d DOUBLE, m DECIMAL(5, 2), s STRING, by BYTES, dt DATE, t TIME(3), ts TIMESTAMP(3), "
            + "ltz TIMESTAMP_LTZ(3), r ROW<x INT, y STRING>, a ARRAY<INT>, mp MAP<STRING, BIGINT>",
            1,
            ("number-of-rows", "20"), ("rows-per-second", "1000"),
            ("fields.i.min", "-3"), ("fields.i.max", "3"), ("fields.d.min", "0.5"), ("fields.d.max", "0.75"),
            ("fields.m.min", "-1.5"), ("fields.m.max", "2.25"), ("fields.s.length", "5"), ("fields.ts.max-past", "1 h"),
            ("fields.a.length", "4"), ("fields.mp.length", "2"));
        using (driver)
        {
            driver.AdvanceProcessingTime(TimeSpan.FromSeconds(1));

            sink.Items.Count.ShouldBe(20);
            driver.IsFinished.ShouldBeTrue();
            var startTs = new DateTime(2026, 12, 5, 10, 0, 0);
            foreach (var row in sink.Items)
            {
                for (var i = 0; i < row.FieldCount; i++)
                {
                    row.IsNull(i).ShouldBeFalse();
                }
                row.GetInt32(1).ShouldBeInRange(-3, 3);
                row.GetDouble(4).ShouldBeInRange(0.5, 0.75);
                row.GetDecimal(5).ShouldBeInRange(-1.5m, 2.25m);
                (row.GetDecimal(5) * 100 % 1).ShouldBe(0m);
                row.GetString(6)!.Length.ShouldBe(5);
                row.GetString(6)!.All(char.IsAsciiLetterOrDigit).ShouldBeTrue();
                row.GetBytes(7)!.Length.ShouldBe(100);
                row.GetDate(8).ShouldBe(new DateOnly(2026, 12, 5));
                row.GetTime(9).ShouldBeInRange(new TimeOnly(10, 0), new TimeOnly(10, 0, 1));
                row.GetTimestamp(10).ShouldBeInRange(startTs.AddHours(-1), startTs.AddSeconds(1));
                row.GetTimestampLtz(11).ShouldBeInRange(s_start, s_start.AddSeconds(1));
                row.GetTimestampLtz(11).Offset.ShouldBe(TimeSpan.Zero);
                var nested = row.GetRow(12)!;
                nested.IsNull(0).ShouldBeFalse();
                nested.GetString(1)!.Length.ShouldBe(100);
                row.GetArray(13)!.Count.ShouldBe(4);
                row.GetArray(13)!.ShouldAllBe(e => e is int);
                var map = row.GetMap(14)!;
                map.Count.ShouldBe(2);
                map[0].Key.ShouldNotBe(map[1].Key);
                map.ShouldAllBe(e => e.Key is string && e.Value is long);
            }
            sink.Items.Select(r => r.GetInt64(2)).Distinct().Count().ShouldBe(20);
        }
    }

    [Fact]
    public void Datagen_NumberOfRows_EndsTheJob()
    {
        var (driver, sink) = Job("id BIGINT", 2, ("number-of-rows", "7"), ("rows-per-second", "100"));
        using (driver)
        {
            driver.AdvanceProcessingTime(TimeSpan.FromSeconds(1));

            sink.Items.Count.ShouldBe(7);
            driver.IsFinished.ShouldBeTrue();
        }
    }

    [Fact]
    public void Datagen_Sequences_CountFromStartToTheShortestEndAcrossSubtasks()
    {
        var (driver, sink) = Job("id INT NOT NULL, name STRING, amount DECIMAL(6, 1)", 2,
            ("fields.id.kind", "sequence"), ("fields.id.start", "5"), ("fields.id.end", "9"),
            ("fields.name.kind", "sequence"), ("fields.name.start", "100"), ("fields.name.end", "200"),
            ("fields.amount.kind", "sequence"), ("fields.amount.start", "-2"), ("fields.amount.end", "1000"));
        using (driver)
        {
            driver.AdvanceProcessingTime(TimeSpan.FromSeconds(1));

            driver.IsFinished.ShouldBeTrue();
            var rows = sink.Items.OrderBy(r => r.GetInt32(0)).ToList();
            rows.Select(r => r.GetInt32(0)).ShouldBe([5, 6, 7, 8, 9]);
            rows.Select(r => r.GetString(1)).ShouldBe(["100", "101", "102", "103", "104"]);
            rows.Select(r => r.GetDecimal(2)).ShouldBe([-2m, -1m, 0m, 1m, 2m]);
        }
    }

    [Fact]
    public void Datagen_RowsPerSecond_IsPacedByTheJobClock()
    {
        var (driver, sink) = Job("id BIGINT", 1, ("rows-per-second", "10"));
        using (driver)
        {
            driver.RunUntilIdle();
            sink.Items.Count.ShouldBe(1);

            driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(500));
            sink.Items.Count.ShouldBe(6);

            driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(500));
            sink.Items.Count.ShouldBe(11);
            driver.IsFinished.ShouldBeFalse();
        }
    }

    [Fact]
    public void Datagen_NullRate_NullsAboutThatShareOfRows()
    {
        var half = Source("v BIGINT", ("fields.v.null-rate", "0.3"), ("seed", "7"));
        var all = Source("v BIGINT", ("fields.v.null-rate", "1"));

        var nulls = Enumerable.Range(0, 2000).Count(i => half.Generate(7, i, 0).IsNull(0));

        nulls.ShouldBeInRange(500, 700);
        Enumerable.Range(0, 50).ShouldAllBe(i => all.Generate(1, i, 0).IsNull(0));
    }

    [Fact]
    public void Datagen_SameSeed_SameRows_OtherSeed_OtherRows()
    {
        const string Schema = "a BIGINT, s STRING, r ROW<x DOUBLE>, m MAP<INT, STRING>";
        var one = Source(Schema, ("seed", "11"));
        var two = Source(Schema, ("seed", "11"));

        one.Seed.ShouldBe(11UL);
        for (var i = 0; i < 20; i++)
        {
            one.Generate(one.Seed, i, 0).ShouldBe(two.Generate(two.Seed, i, 0));
            one.Generate(one.Seed, i, 0).ShouldNotBe(one.Generate(12, i, 0));
        }
    }

    [Fact]
    public void Datagen_RestoreFromSnapshot_ReplaysTheSameRows()
    {
        // No seed option: the seed is random per source and must come back from the checkpoint.
        const string Schema = "id BIGINT, name STRING, at TIMESTAMP(3), tags ARRAY<STRING>";
        (string, string)[] options = [("rows-per-second", "10"), ("fields.at.max-past", "10 s"), ("fields.name.null-rate", "0.2")];
        List<Row> expected;
        TestSnapshot snapshot;
        var (first, firstSink) = Job(Schema, 1, options);
        using (first)
        {
            first.AdvanceProcessingTime(TimeSpan.FromSeconds(1));
            snapshot = first.Snapshot();
            var atSnapshot = firstSink.Items.Count;
            atSnapshot.ShouldBe(11);
            first.AdvanceProcessingTime(TimeSpan.FromSeconds(2));
            expected = [.. firstSink.Items.Skip(atSnapshot)];
        }
        expected.Count.ShouldBe(20);

        var (second, secondSink) = Job(Schema, 1, options);
        using (second)
        {
            second.InitializeState(snapshot);
            second.AdvanceProcessingTime(TimeSpan.FromSeconds(2));

            secondSink.Items.ShouldBe(expected);
        }
    }

    [Fact]
    public void Position_Version1_IsTheSeedAndCountLittleEndian()
    {
        byte[] golden = [1, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 11, 0, 0, 0, 0, 0, 0, 0];

        DatagenSource.EncodePosition(0x0102030405060708UL, 11).ShouldBe(golden);
        DatagenSource.DecodePosition("datagen-0-of-1", golden).ShouldBe((0x0102030405060708UL, 11L));
        Should.Throw<Sluice.State.Serialization.StateFormatException>(() => DatagenSource.DecodePosition("datagen-0-of-1", [2, 0, 0]))
            .Message.ShouldContain("datagen split 'datagen-0-of-1'");
    }

    [Fact]
    public void Datagen_BigIntBounds_HoldForAnyRange()
    {
        Gen.Select(Gen.Long, Gen.Long, Gen.Long).Sample((a, b, seed) =>
        {
            var (min, max) = a <= b ? (a, b) : (b, a);
            var source = Source("v BIGINT NOT NULL", ("fields.v.min", min.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("fields.v.max", max.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            for (var i = 0; i < 8; i++)
            {
                var value = source.Generate((ulong)seed, i, 0).GetInt64(0);
                if (value < min || value > max)
                {
                    return false;
                }
            }
            return true;
        }, iter: 300);
    }

    [Theory]
    [InlineData("id INT", "fields.nme.kind", "sequence", "Option 'fields.nme.kind' of connector 'datagen' names no column of table 't'; its columns are: id.")]
    [InlineData("id INT NOT NULL", "fields.id.null-rate", "0.5", "Option 'fields.id.null-rate' of connector 'datagen' must be 0 for column 'id', which is INT NOT NULL (got '0.5').")]
    [InlineData("s STRING", "fields.s.min", "3", "Option 'fields.s.min' of connector 'datagen' applies to numeric columns only, and column 's' is VARCHAR (got '3').")]
    [InlineData("i INT", "fields.i.min", "3000000000", "Option 'fields.i.min' of connector 'datagen' must be a whole number between -2147483648 and 2147483647, as column 'i' is INT (got '3000000000').")]
    [InlineData("i INT", "fields.i.length", "3", "Option 'fields.i.length' of connector 'datagen' applies to VARCHAR, BYTES, ARRAY and MAP columns only, and column 'i' is INT (got '3').")]
    [InlineData("i INT", "fields.i.max-past", "1 s", "Option 'fields.i.max-past' of connector 'datagen' applies to DATE, TIME, TIMESTAMP and TIMESTAMP_LTZ columns only, and column 'i' is INT (got '1 s').")]
    [InlineData("i INT", "fields.i.start", "1", "Option 'fields.i.start' of connector 'datagen' applies to sequence columns only, and column 'i' is random (set fields.i.kind to 'sequence') (got '1').")]
    [InlineData("b BOOLEAN", "fields.b.kind", "sequence", "Option 'fields.b.kind' of connector 'datagen' can be 'sequence' only for INT, BIGINT, FLOAT, DOUBLE, DECIMAL or VARCHAR columns, and column 'b' is BOOLEAN (got 'sequence').")]
    [InlineData("i INT", "fields.i.kind", "sequence", "Connector 'datagen' needs option 'fields.i.start' for sequence column 'i'.")]
    public void Datagen_OptionThatDoesNotFitTheTable_IsOneSentence(string schema, string key, string value, string expected)
    {
        Rejected(schema, (key, value)).Message.ShouldBe(expected);
    }

    [Fact]
    public void Datagen_MinAboveMax_NamesBoth()
    {
        Rejected("d DOUBLE", ("fields.d.min", "2"), ("fields.d.max", "1")).Message
            .ShouldBe("Option 'fields.d.max' of connector 'datagen' must be at least fields.d.min (2) (got '1').");
    }

    [Fact]
    public void Datagen_SequenceEndBeforeStart_NamesBoth()
    {
        Rejected("i BIGINT", ("fields.i.kind", "sequence"), ("fields.i.start", "9"), ("fields.i.end", "5")).Message
            .ShouldBe("Option 'fields.i.end' of connector 'datagen' must be at least fields.i.start (9) (got '5').");
    }
}
