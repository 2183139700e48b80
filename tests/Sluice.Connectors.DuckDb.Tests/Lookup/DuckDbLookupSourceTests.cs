using Sluice.Configuration;
using Sluice.Schemas;
using static Sluice.Connectors.DuckDb.Tests.Sinks.SinkTestSupport;

namespace Sluice.Connectors.DuckDb.Tests.Lookup;

/// <summary>What only the 'duckdb' lookup does (the rest is <c>DuckDbLookupSourceContractTests</c>).</summary>
public sealed class DuckDbLookupSourceTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ConnectorRegistry _registry = new ConnectorRegistry().AddAssembly(typeof(DuckDbConnectorFactory).Assembly);

    private string Database => _dir.File("dim.duckdb");

    public void Dispose()
    {
        DuckDbWarehouse.Release(Database);
        _dir.Dispose();
    }

    private Dictionary<string, string> Options(params (string Key, string Value)[] more)
    {
        var options = new Dictionary<string, string> { ["connector"] = "duckdb", ["path"] = Database, ["table-name"] = "dim" };
        foreach (var (key, value) in more)
        {
            options[key] = value;
        }
        return options;
    }

    [Fact]
    public async Task Lookup_EveryScalarType_ReadsBackWhatTheSinkWrote()
    {
        var schema = Schema.Parse("id INT NOT NULL, flag BOOLEAN, big BIGINT, f FLOAT, d DOUBLE, amount DECIMAL(10, 2), name STRING, payload BYTES, "
            + "day DATE, at_time TIME(6), ts TIMESTAMP(6), ltz TIMESTAMP_LTZ(6)");
        var full = Row.Of(schema, 1, true, 9_000_000_000L, 1.5f, -2.25, 12.34m, "Zoë", new byte[] { 0, 1, 255 },
            new DateOnly(2026, 12, 5), new TimeOnly(13, 14, 15).Add(TimeSpan.FromTicks(1_234_560)),
            new DateTime(2026, 12, 5, 1, 2, 3).AddTicks(9_876_540), new DateTimeOffset(2026, 12, 5, 4, 5, 6, TimeSpan.Zero).AddTicks(10));
        var nulls = Row.Of(schema, 2, null, null, null, null, null, null, null, null, null, null, null);
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection([full, nulls]).SinkTo(_registry.CreateSink("dim", schema, Options()));
        await env.ExecuteAsync().OrTimeout();

        using var source = _registry.CreateLookupSource("dim", schema, Options(), ["id"]);
        source.Open(new LookupContext(0, 1, TimeProvider.System));

        source.Lookup(Row.Of(source.KeySchema, 1)).ShouldBe([full]);
        source.Lookup(Row.Of(source.KeySchema, 2)).ShouldBe([nulls]);
    }

    [Fact]
    public async Task Lookup_KeyOfEveryScalarType_FindsTheRow()
    {
        var schema = Schema.Parse("flag BOOLEAN NOT NULL, amount DECIMAL(10, 2) NOT NULL, day DATE NOT NULL, ts TIMESTAMP(6) NOT NULL, ltz TIMESTAMP_LTZ(6) NOT NULL, payload BYTES NOT NULL, v STRING");
        var row = Row.Of(schema, true, 12.34m, new DateOnly(2026, 12, 5), new DateTime(2026, 12, 5, 1, 2, 3), new DateTimeOffset(2026, 12, 5, 4, 5, 6, TimeSpan.Zero), new byte[] { 7 }, "x");
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection([row]).SinkTo(_registry.CreateSink("dim", schema, Options()));
        await env.ExecuteAsync().OrTimeout();

        using var source = _registry.CreateLookupSource("dim", schema, Options(), ["flag", "amount", "day", "ts", "ltz", "payload"]);
        source.Open(new LookupContext(0, 1, TimeProvider.System));

        source.Lookup(Row.Of(source.KeySchema, true, 12.34m, new DateOnly(2026, 12, 5), new DateTime(2026, 12, 5, 1, 2, 3), new DateTimeOffset(2026, 12, 5, 4, 5, 6, TimeSpan.Zero), new byte[] { 7 }))
            .ShouldBe([row]);
    }

    [Fact]
    public void Lookup_TableDroppedAfterOpen_FailsAfterTheRetriesNamingTableAndKey()
    {
        var schema = Schema.Parse("id BIGINT NOT NULL, v STRING");
        using (var setup = DuckDbQueries.Open(Database))
        {
            setup.Run("CREATE TABLE dim (id BIGINT NOT NULL, v VARCHAR)");
        }
        using var source = _registry.CreateLookupSource("dim", schema, Options(("lookup.max-retries", "2")), ["id"]);
        source.Open(new LookupContext(0, 1, TimeProvider.System));
        using (var drop = DuckDbQueries.Open(Database))
        {
            drop.Run("DROP TABLE dim");
        }

        var error = Should.Throw<IOException>(() => source.Lookup(Row.Of(source.KeySchema, 5L)));

        error.Message.ShouldStartWith("The lookup of key +I[5] in table 'dim' failed after 3 attempt(s) (lookup.max-retries = 2): The lookup of key +I[5] in DuckDB table 'dim' of '" + Database + "' failed: ");
    }

    [Fact]
    public void Open_MissingTable_NamesTableAndFile()
    {
        using var source = _registry.CreateLookupSource("dim", Schema.Parse("id BIGINT NOT NULL"), Options(), ["id"]);

        Should.Throw<IOException>(() => source.Open(new LookupContext(0, 1, TimeProvider.System))).Message
            .ShouldBe($"The DuckDB lookup table 'dim' does not exist in '{Database}'.");
    }

    [Theory]
    [InlineData(new[] { "nope" }, "id BIGINT NOT NULL", new string[0], "The lookup key column 'nope' is not a column of table 'dim' (id).")]
    [InlineData(new string[0], "id BIGINT NOT NULL", new string[0], "A lookup of DuckDB table 'dim' needs at least one key column.")]
    [InlineData(new[] { "id" }, "id BIGINT NOT NULL, tags ARRAY<STRING>", new string[0], "Table 'dim' cannot be a DuckDB lookup table: its column 'tags' is ARRAY<VARCHAR>, which DuckDB stores as text; declare only scalar columns.")]
    [InlineData(new[] { "id" }, "id BIGINT NOT NULL", new[] { "lookup.cache", "PARTIAL" }, "Connector 'duckdb' needs 'lookup.partial-cache.max-rows', 'lookup.partial-cache.expire-after-write' or 'lookup.partial-cache.expire-after-access' with 'lookup.cache' = 'PARTIAL', so that the cache is bounded.")]
    [InlineData(new[] { "id" }, "id BIGINT NOT NULL", new[] { "lookup.partial-cache.max-rows", "10" }, "Option 'lookup.partial-cache.max-rows' of connector 'duckdb' must be left out unless 'lookup.cache' is 'PARTIAL' (got '10').")]
    [InlineData(new[] { "id" }, "id BIGINT NOT NULL", new[] { "lookup.cache", "FULL" }, "Option 'lookup.cache' of connector 'duckdb' must be one of 'NONE', 'PARTIAL' (got 'FULL').")]
    public void CreateLookupSource_BadKeyOrOptions_OneSentence(string[] keys, string columns, string[] option, string expected)
    {
        var options = option.Length == 0 ? Options() : Options((option[0], option[1]));

        Should.Throw<ConfigOptionsException>(() => _registry.CreateLookupSource("dim", Schema.Parse(columns), options, keys)).Message.ShouldBe(expected);
    }
}
