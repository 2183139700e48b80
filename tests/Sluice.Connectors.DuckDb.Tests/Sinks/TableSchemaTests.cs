using Sluice.Connectors.DuckDb.Sinks;
using Sluice.Schemas;

namespace Sluice.Connectors.DuckDb.Tests.Sinks;

public enum Tier
{
    Free,
    Gold,
}

public sealed record Everything(
    string Name, int Count, long Total, double Ratio, decimal Price, bool Active, DateTime At, DateTimeOffset Seen,
    int? MaybeCount, DateTime? MaybeAt, Tier Tier, Guid Id, float Small)
{
    public string Derived => Name + "!"; // not positional: not a column
}

public sealed class PlainClass
{
    public long HTTPStatus { get; init; }

    public string? UserURL2 { get; init; }
}

public sealed class TableSchemaTests
{
    [Theory]
    [InlineData("EventId", "event_id")]
    [InlineData("HTTPStatus", "http_status")]
    [InlineData("UserURL2", "user_url2")]
    [InlineData("Url2Path", "url2_path")]
    [InlineData("already_snake", "already_snake")]
    [InlineData("X", "x")]
    public void ToSnakeCase_Examples(string name, string expected) => TableColumns.ToSnakeCase(name).ShouldBe(expected);

    [Fact]
    public void For_PositionalRecord_MapsPositionalPropertiesInOrder()
    {
        var schema = TableSchema.For<Everything>();

        schema.Columns.Select(c => (c.Name, c.SqlType, c.IsNullable)).ShouldBe([
            ("name", "VARCHAR", true), ("count", "INTEGER", false), ("total", "BIGINT", false), ("ratio", "DOUBLE", false),
            ("price", "DECIMAL(18,4)", false), ("active", "BOOLEAN", false), ("at", "TIMESTAMP", false), ("seen", "TIMESTAMP", false),
            ("maybe_count", "INTEGER", true), ("maybe_at", "TIMESTAMP", true), ("tier", "VARCHAR", false), ("id", "VARCHAR", false),
            ("small", "DOUBLE", false)]);
    }

    [Fact]
    public void For_PlainClass_MapsPublicProperties()
    {
        TableSchema.For<PlainClass>().Columns.Select(c => c.Name).ShouldBe(["http_status", "user_url2"]);
    }

    [Fact]
    public void For_TypeWithoutProperties_ThrowsArgumentException() =>
        Should.Throw<ArgumentException>(() => TableSchema.For<long>()).Message.ShouldContain("record");

    [Fact]
    public void AppendColumns_RoundTripsEveryType()
    {
        var at = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        var id = Guid.NewGuid();
        var row = new Everything("a'b", 1, 2, 0.5, 12.34567m, true, at, new DateTimeOffset(at).ToOffset(TimeSpan.FromHours(2)), null, at, Tier.Gold, id, 1.5f);
        var schema = TableSchema.For<Everything>();
        using var conn = DuckDbQueries.Open(":memory:");
        conn.Run($"CREATE TABLE t ({schema.ColumnDefinitions})");
        using (var appender = conn.CreateAppender("t"))
        {
            var appended = appender.CreateRow();
            schema.AppendColumns(appended, row);
            appended.EndRow();
        }

        var result = conn.Query($"SELECT {schema.ColumnList} FROM t");
        result.GetString(0, 0).ShouldBe("a'b");
        result.GetInt32(0, 1).ShouldBe(1);
        result.GetInt64(0, 2).ShouldBe(2);
        result.GetDouble(0, 3).ShouldBe(0.5);
        result.GetDecimal(0, 4).ShouldBe(12.3457m);
        result.GetBoolean(0, 5).ShouldBeTrue();
        result.GetDateTime(0, 6).ShouldBe(at);
        result.GetDateTime(0, 7).ShouldBe(at, "DateTimeOffset is stored as UTC");
        result.IsNull(0, 8).ShouldBeTrue();
        result.GetDateTime(0, 9).ShouldBe(at);
        result.GetString(0, 10).ShouldBe("Gold");
        result.GetString(0, 11).ShouldBe(id.ToString());
        result.GetDouble(0, 12).ShouldBe(1.5);
    }

    [Fact]
    public void AppendColumns_DecimalBeyondDecimal184_ThrowsOverflowNamingTheColumn()
    {
        var schema = TableSchema.For<Priced>();
        using var conn = DuckDbQueries.Open(":memory:");
        conn.Run($"CREATE TABLE t ({schema.ColumnDefinitions})");
        using var appender = conn.CreateAppender("t");

        var ex = Should.Throw<OverflowException>(() => schema.AppendColumns(appender.CreateRow(), new Priced(100_000_000_000_000m)));

        ex.Message.ShouldContain("'price'");
    }

    [Fact]
    public void AppendColumns_HalfwayDecimalAndLocalTime_RoundAwayFromZeroAndStoreUtc()
    {
        var schema = TableSchema.For<Stamped>();
        var utc = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        using var conn = DuckDbQueries.Open(":memory:");
        conn.Run($"CREATE TABLE t ({schema.ColumnDefinitions})");
        using (var appender = conn.CreateAppender("t"))
        {
            var row = appender.CreateRow();
            schema.AppendColumns(row, new Stamped(-1.00005m, utc.ToLocalTime()));
            row.EndRow();
        }

        var result = conn.Query("SELECT price, \"at\" FROM t");
        result.GetDecimal(0, 0).ShouldBe(-1.0001m);
        result.GetDateTime(0, 1).ShouldBe(utc);
    }

    [Fact]
    public void For_NewerTypesAndHints_MapThroughTheRecordSchema()
    {
        var schema = TableSchema.For<Modern>();

        schema.ColumnDefinitions.ShouldBe(
            "\"day\" DATE, \"clock\" TIME, \"payload\" BLOB, \"amount\" DECIMAL(10,2), \"at_ms\" TIMESTAMP, \"user_id\" VARCHAR, \"home\" VARCHAR, \"tags\" VARCHAR");
        schema.Schema[4].Type.ShouldBe(DataType.Timestamp(3).NotNull());
    }

    [Fact]
    public void AppendColumns_NewerTypes_RoundTrip()
    {
        var schema = TableSchema.For<Modern>();
        using var conn = DuckDbQueries.Open(":memory:");
        conn.Run($"CREATE TABLE t ({schema.ColumnDefinitions})");
        using (var appender = conn.CreateAppender("t"))
        {
            var row = appender.CreateRow();
            schema.AppendColumns(row, new Modern(new DateOnly(2026, 12, 5), new TimeOnly(1, 2, 3), [1, 2], 3.456m, new DateTime(2026, 12, 5, 0, 0, 0, 7), "u", new Where("Main", 4), ["x", "y"]));
            row.EndRow();
        }

        var result = conn.Query("SELECT CAST(\"day\" AS VARCHAR), CAST(clock AS VARCHAR), hex(payload), CAST(amount AS VARCHAR), epoch_ms(at_ms), user_id, home, tags FROM t");
        result.GetString(0, 0).ShouldBe("2026-12-05");
        result.GetString(0, 1).ShouldBe("01:02:03");
        result.GetString(0, 2).ShouldBe("0102");
        result.GetString(0, 3).ShouldBe("3.46");
        result.GetInt64(0, 4).ShouldBe(1_796_428_800_007); // 2026-12-05T00:00:00.007Z in ms
        result.GetString(0, 5).ShouldBe("u");
        result.GetString(0, 6).ShouldBe("+I[Main, 4]");
        result.GetString(0, 7).ShouldBe("[x, y]");
    }

    [Fact]
    public void For_UnsupportedPropertyType_ThrowsNamingTheProperty() =>
        Should.Throw<NotSupportedException>(() => TableSchema.For<Timed>()).Message.ShouldContain("Timed.Elapsed");

    public sealed record Where(string Street, int Number);

    public sealed record Modern(
        DateOnly Day, TimeOnly Clock, byte[] Payload, [DataTypeHint("DECIMAL(10, 2)")] decimal Amount, [DataTypeHint("TIMESTAMP(3)")] DateTime AtMs,
        [FieldName("UserId")] string Name, Where Home, List<string> Tags);

    public sealed record Timed(long Id, TimeSpan Elapsed);

    public sealed record Priced(decimal Price);

    public sealed record Stamped(decimal Price, DateTime At);
}
