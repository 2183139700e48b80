namespace Sluice.Connectors.DuckDb.Tests;

public sealed class DuckDbPreparedStatementTests : IDisposable
{
    private readonly DuckDbDatabase _db = DuckDbDatabase.OpenInMemory();
    private readonly DuckDbConnection _conn;

    public DuckDbPreparedStatementTests()
    {
        _conn = _db.Connect();
        _conn.Execute("""
            CREATE TABLE t (b BOOLEAN, i INTEGER, l BIGINT, d DOUBLE, m DECIMAL(18,4), s VARCHAR, ts TIMESTAMP)
            """);
    }

    public void Dispose()
    {
        _conn.Dispose();
        _db.Dispose();
    }

    [Fact]
    public void Execute_AllParameterTypes_RoundTrip()
    {
        var ts = new DateTime(2025, 6, 1, 12, 30, 45, DateTimeKind.Utc).AddTicks(1230);
        using var insert = _conn.Prepare("INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7)");
        insert.ParameterCount.ShouldBe(7);

        insert.Bind(1, true).Bind(2, -5).Bind(3, long.MaxValue).Bind(4, 3.5).Bind(5, -1234.5678m).Bind(6, "ünïcødé 🦆").Bind(7, ts);
        insert.Execute().ShouldBe(1);
        insert.BindNull(1).BindNull(2).BindNull(3).BindNull(4).BindNull(5).Bind(6, (string?)null).BindNull(7);
        insert.Execute().ShouldBe(1);

        var r = _conn.Query("SELECT * FROM t ORDER BY i NULLS LAST");
        r.RowCount.ShouldBe(2);
        r.GetBoolean(0, 0).ShouldBeTrue();
        r.GetInt32(0, 1).ShouldBe(-5);
        r.GetInt64(0, 2).ShouldBe(long.MaxValue);
        r.GetDouble(0, 3).ShouldBe(3.5);
        r.GetDecimal(0, 4).ShouldBe(-1234.5678m);
        r.GetString(0, 5).ShouldBe("ünïcødé 🦆");
        r.GetDateTime(0, 6).ShouldBe(ts);
        for (var c = 0; c < 7; c++)
        {
            r.IsNull(1, c).ShouldBeTrue();
        }
    }

    [Fact]
    public void Query_Rebind_ReturnsRowsForEachBinding()
    {
        _conn.Execute("INSERT INTO t (i, s) SELECT range, 'row' || range FROM range(100)");
        using var select = _conn.Prepare("SELECT count(*), min(s) FROM t WHERE i >= ? AND s <> ?");

        var first = select.Bind(1, 90).Bind(2, "none").Query();
        var second = select.Bind(1, 10).Query();

        first.GetInt64(0, 0).ShouldBe(10);
        first.GetString(0, 1).ShouldBe("row90");
        second.GetInt64(0, 0).ShouldBe(90);
    }

    [Fact]
    public void Bind_IndexOutOfRange_ThrowsWithSql()
    {
        using var select = _conn.Prepare("SELECT $1::INTEGER");

        var ex = Should.Throw<DuckDbException>(() => select.Bind(2, 1));

        ex.Message.ShouldContain("parameter 2");
        ex.Sql.ShouldBe("SELECT $1::INTEGER");
    }

    [Fact]
    public void Execute_MissingBinding_ThrowsDuckDbException()
    {
        using var select = _conn.Prepare("SELECT $1::INTEGER + $2::INTEGER");
        select.Bind(1, 1);

        Should.Throw<DuckDbException>(() => select.Query()).Sql.ShouldBe("SELECT $1::INTEGER + $2::INTEGER");
    }

    [Fact]
    public void ClearBindings_ThenExecute_ThrowsDuckDbException()
    {
        using var select = _conn.Prepare("SELECT $1::INTEGER");
        select.Bind(1, 1).Query().GetInt32(0, 0).ShouldBe(1);

        select.ClearBindings();

        Should.Throw<DuckDbException>(() => select.Query());
    }

    [Fact]
    public void Prepare_InvalidSql_MessageHasDuckDbTextAndSql()
    {
        var ex = Should.Throw<DuckDbException>(() => _conn.Prepare("SELECT * FROM no_such_table WHERE x = ?"));

        ex.Message.ShouldContain("no_such_table");
        ex.Sql.ShouldBe("SELECT * FROM no_such_table WHERE x = ?");
    }

    [Fact]
    public void Bind_LongString_UsesGrownBuffer()
    {
        var text = new string('λ', 5000);
        using var select = _conn.Prepare("SELECT length($1), $1");

        var r = select.Bind(1, text).Query();

        r.GetInt64(0, 0).ShouldBe(5000);
        r.GetString(0, 1).ShouldBe(text);
    }

    [Fact]
    public void Bind_AfterDispose_ThrowsObjectDisposedException()
    {
        var select = _conn.Prepare("SELECT $1::INTEGER");
        select.Dispose();

        Should.Throw<ObjectDisposedException>(() => select.Bind(1, 1));
        Should.Throw<ObjectDisposedException>(() => select.Execute());
    }

    [Fact]
    public void Statement_OutlivesConnectionDispose_StillUsableUntilDisposed()
    {
        var conn = _db.Connect();
        using var select = conn.Prepare("SELECT $1::INTEGER * 2");
        conn.Dispose();

        select.Bind(1, 21).Query().GetInt32(0, 0).ShouldBe(42);
    }
}
