using DuckDB.NET.Data;

namespace Sluice.Connectors.DuckDb.Tests;

/// <summary>
/// The DuckDB features the sinks rely on work in the packaged native library, with no extension to install: Parquet
/// with zstd, hive-partitioned COPY and reads, and a clear error for a missing file.
/// </summary>

public sealed class ParquetTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly DuckDBConnection _conn = DuckDbQueries.Open(":memory:");

    public ParquetTests()
    {
        _conn.Run("CREATE TABLE clicks (user_id BIGINT, url VARCHAR, amount DOUBLE, event_date DATE, hour INTEGER)");
        using var appender = _conn.CreateAppender("clicks");
        var start = new DateTime(2025, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < 5000; i++)
        {
            var at = start.AddMinutes(i * 7);
            appender.CreateRow().AppendValue((long)(i % 97)).AppendValue(i % 11 == 0 ? null : "/page/" + (i % 13)).AppendValue(i * 0.25)
                .AppendValue(DateOnly.FromDateTime(at)).AppendValue(at.Hour).EndRow();
        }
    }

    public void Dispose()
    {
        _conn.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void CopyPartitioned_ReadBackHive_CountsAndSumsMatch()
    {
        var target = _dir.File("clicks");

        _conn.Run($"COPY clicks TO '{target}' (FORMAT parquet, PARTITION_BY (event_date, hour))");

        var files = Directory.GetFiles(target, "*.parquet", SearchOption.AllDirectories);
        files.Length.ShouldBeGreaterThan(24);
        files.ShouldAllBe(f => f.Contains("event_date=") && f.Contains("hour="));

        var source = _conn.Query("SELECT count(*), sum(amount), count(url), count(DISTINCT event_date), count(DISTINCT (event_date, hour)) FROM clicks");
        var lake = _conn.Query($"""
            SELECT count(*), sum(amount), count(url), count(DISTINCT event_date), count(DISTINCT (event_date, hour))
            FROM read_parquet('{target}/**/*.parquet', hive_partitioning = true)
            """);
        for (var c = 0; c < source.ColumnCount; c++)
        {
            lake.GetDouble(0, c).ShouldBe(source.GetDouble(0, c), 1e-6);
        }

        var perHour = _conn.Query($"""
            SELECT event_date, hour, count(*) AS n FROM read_parquet('{target}/**/*.parquet', hive_partitioning = true)
            WHERE event_date = DATE '2025-03-02' AND hour = 5 GROUP BY ALL
            """);
        perHour.RowCount.ShouldBe(1);
        perHour.GetDateTime(0, 0).ShouldBe(new DateTime(2025, 3, 2, 0, 0, 0, DateTimeKind.Utc));
        perHour.GetInt64(0, 2).ShouldBe(
            _conn.Query("SELECT count(*) FROM clicks WHERE event_date = DATE '2025-03-02' AND hour = 5").GetInt64(0, 0));
    }

    [Fact]
    public void CopyZstd_ReadBack_RoundTripsAndUsesZstd()
    {
        var file = _dir.File("clicks.parquet");

        _conn.Run($"COPY clicks TO '{file}' (FORMAT parquet, COMPRESSION zstd)");

        File.Exists(file).ShouldBeTrue();
        var codecs = _conn.Query($"SELECT DISTINCT compression FROM parquet_metadata('{file}')");
        codecs.RowCount.ShouldBe(1);
        codecs.GetString(0, 0).ShouldBe("ZSTD");
        var diff = _conn.Query($"""
            SELECT count(*) FROM (SELECT * FROM clicks EXCEPT ALL SELECT * FROM read_parquet('{file}'))
            """);
        diff.GetInt64(0, 0).ShouldBe(0);
        _conn.Query($"SELECT count(*) FROM read_parquet('{file}')").GetInt64(0, 0).ShouldBe(5000);
    }

    [Fact]
    public void ReadParquet_MissingFile_ThrowsWithPath()
    {
        var file = _dir.File("absent.parquet");

        var ex = Should.Throw<DuckDBException>(() => _conn.Query($"SELECT * FROM read_parquet('{file}')"));

        ex.Message.ShouldContain("absent.parquet");
    }
}
