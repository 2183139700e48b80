namespace Sluice.Connectors.DuckDb.Tests;

public sealed class DuckDbAppenderTests : IDisposable
{
    private const int Rows = 10_000;
    private static readonly DateTime s_epoch = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly DuckDbDatabase _db = DuckDbDatabase.OpenInMemory();
    private readonly DuckDbConnection _conn;

    public DuckDbAppenderTests()
    {
        _conn = _db.Connect();
        _conn.Execute("""
            CREATE TABLE events (id BIGINT, flag BOOLEAN, small INTEGER, amount DOUBLE, name VARCHAR,
                                 occurred_at TIMESTAMP, price DECIMAL(12,3))
            """);
    }

    public void Dispose()
    {
        _conn.Dispose();
        _db.Dispose();
    }

    // Short (inline, ≤ 12 UTF-8 bytes), long (pointer), non-ASCII and NULL strings in a fixed rotation.
    private static string? NameFor(long i) => (i % 5) switch
    {
        0 => null,
        1 => "ab" + i,
        2 => "größer-" + i,
        3 => "a long string well past twelve bytes #" + i,
        _ => "東京🦆" + i,
    };

    private static void AppendAll(DuckDbAppender appender)
    {
        for (long i = 0; i < Rows; i++)
        {
            appender.Append(i);
            if (i % 3 == 0)
            {
                appender.AppendNull();
            }
            else
            {
                appender.Append(i % 2 == 0);
            }

            appender.Append((int)(i % 1000)).Append(i * 0.5).Append(NameFor(i)).Append(s_epoch.AddSeconds(i)).Append(i / 8m);
            appender.EndRow();
        }
    }

    [Fact]
    public void Append_TenThousandRowsAllTypes_ReadBackExactly()
    {
        using (var appender = _conn.CreateAppender("events"))
        {
            appender.Table.ShouldBe("events");
            AppendAll(appender);
        }

        var r = _conn.Query("SELECT * FROM events ORDER BY id");
        r.RowCount.ShouldBe(Rows);
        for (var row = 0; row < Rows; row++)
        {
            long i = row;
            r.GetInt64(row, 0).ShouldBe(i);
            if (i % 3 == 0)
            {
                r.IsNull(row, 1).ShouldBeTrue();
            }
            else
            {
                r.GetBoolean(row, 1).ShouldBe(i % 2 == 0);
            }

            r.GetInt32(row, 2).ShouldBe((int)(i % 1000));
            r.GetDouble(row, 3).ShouldBe(i * 0.5);
            var name = NameFor(i);
            if (name is null)
            {
                r.IsNull(row, 4).ShouldBeTrue();
            }
            else
            {
                r.GetString(row, 4).ShouldBe(name);
            }

            r.GetDateTime(row, 5).ShouldBe(s_epoch.AddSeconds(i));
            r.GetDecimal(row, 6).ShouldBe(i / 8m);
        }

        var agg = _conn.Query("SELECT count(*), count(flag), sum(small), sum(price), count(name) FROM events");
        agg.GetInt64(0, 0).ShouldBe(Rows);
        agg.GetInt64(0, 1).ShouldBe(Rows - 3334);
        agg.GetDecimal(0, 3).ShouldBe(Rows * (Rows - 1) / 2 / 8m);
        agg.GetInt64(0, 4).ShouldBe(Rows - 2000);
    }

    [Fact]
    public void Append_HotLoop_AllocatesNothingPerValue()
    {
        using var appender = _conn.CreateAppender("events");
        var name = "a long string well past twelve bytes, non-ASCII: ÄÖÜ";
        appender.Append(0L).Append(true).Append(1).Append(1.0).Append(name).Append(s_epoch).Append(1.5m).EndRow();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (long i = 1; i < Rows; i++)
        {
            appender.Append(i).Append(true).Append(1).Append(1.0).Append(name).Append(s_epoch).Append(1.5m).EndRow();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        allocated.ShouldBeLessThan(1024);
    }

    [Fact]
    public void Flush_MidStream_RowsVisibleBeforeDispose()
    {
        using var appender = _conn.CreateAppender("events");
        appender.Append(1L).Append(true).Append(1).Append(1.0).Append("x").Append(s_epoch).Append(1m).EndRow();

        appender.Flush();

        _conn.Query("SELECT count(*) FROM events").GetInt64(0, 0).ShouldBe(1);
    }

    [Fact]
    public void EndRow_TooFewValues_ThrowsDuckDbException()
    {
        using var appender = _conn.CreateAppender("events");
        appender.Append(1L);

        var ex = Should.Throw<DuckDbException>(() => appender.EndRow());

        ex.Message.ShouldContain("events");
    }

    [Fact]
    public void Close_PrimaryKeyViolation_ThrowsDuckDbMessage()
    {
        _conn.Execute("CREATE TABLE keyed (id INTEGER PRIMARY KEY)");
        var appender = _conn.CreateAppender("keyed");
        appender.Append(1).EndRow();
        appender.Append(1).EndRow();

        var ex = Should.Throw<DuckDbException>(() => appender.Close());
        appender.Dispose();

        ex.Message.ShouldContain("keyed");
        ex.DuckDbMessage.ShouldContain("1");
    }

    [Fact]
    public void CreateAppender_MissingTable_ThrowsDuckDbException()
    {
        var ex = Should.Throw<DuckDbException>(() => _conn.CreateAppender("nope", "main"));

        ex.Message.ShouldContain("main.nope");
    }

    [Fact]
    public void Append_AfterDispose_ThrowsObjectDisposedException()
    {
        var appender = _conn.CreateAppender("events");
        appender.Dispose();
        appender.Dispose();

        Should.Throw<ObjectDisposedException>(() => appender.Append(1L));
        Should.Throw<ObjectDisposedException>(() => appender.EndRow());
    }

    [Fact]
    public void Append_LocalDateTime_StoredAsUtc()
    {
        _conn.Execute("CREATE TABLE times (occurred_at TIMESTAMP)");
        var utc = new DateTime(2024, 3, 10, 8, 0, 0, DateTimeKind.Utc);
        using (var appender = _conn.CreateAppender("times"))
        {
            appender.Append(utc.ToLocalTime()).EndRow();
        }

        _conn.Query("SELECT occurred_at FROM times").GetDateTime(0, 0).ShouldBe(utc);
    }
}
