namespace Sluice.Connectors.DuckDb.Tests;

public sealed class DuckDbConnectionTests : IDisposable
{
    private readonly DuckDbDatabase _db = DuckDbDatabase.OpenInMemory();
    private readonly DuckDbConnection _conn;

    public DuckDbConnectionTests() => _conn = _db.Connect();

    public void Dispose()
    {
        _conn.Dispose();
        _db.Dispose();
    }

    [Fact]
    public void Execute_InsertUpdateDelete_ReturnsRowsChanged()
    {
        _conn.Execute("CREATE TABLE t (x INTEGER)").ShouldBe(0);
        _conn.Execute("INSERT INTO t SELECT * FROM range(10)").ShouldBe(10);
        _conn.Execute("UPDATE t SET x = x + 1 WHERE x < 3").ShouldBe(3);
        _conn.Execute("DELETE FROM t WHERE x > 5").ShouldBe(4);
    }

    [Fact]
    public void Query_SyntaxError_MessageHasDuckDbTextAndSql()
    {
        const string sql = "SELEC 1 FROM nowhere";

        var ex = Should.Throw<DuckDbException>(() => _conn.Query(sql));

        ex.DuckDbMessage.ShouldContain("syntax error");
        ex.Sql.ShouldBe(sql);
        ex.Message.ShouldContain("syntax error");
        ex.Message.ShouldContain(sql);
    }

    [Fact]
    public void Execute_MissingTable_MessageNamesTable()
    {
        var ex = Should.Throw<DuckDbException>(() => _conn.Execute("INSERT INTO missing_table VALUES (1)"));

        ex.Message.ShouldContain("missing_table");
        ex.Sql.ShouldBe("INSERT INTO missing_table VALUES (1)");
    }

    [Fact]
    public void Query_ScalarTypes_ReadBack()
    {
        var r = _conn.Query("""
            SELECT true AS b, 7::TINYINT AS ti, 300::SMALLINT AS si, 70000 AS i, 9000000000 AS bi,
                   200::UTINYINT AS uti, 4000000000::UINTEGER AS ui, 18446744073709551615::UBIGINT AS ubi,
                   1.5::FLOAT AS f, 2.25::DOUBLE AS d,
                   123.45::DECIMAL(5,2) AS dec_small, 1234567890.123456::DECIMAL(18,6) AS dec_big,
                   -12345678901234567890.12::DECIMAL(38,2) AS dec_huge, 12345678901234567890123::HUGEINT AS hi,
                   'héllo wörld ✓' AS s, DATE '2024-02-29' AS dt,
                   TIMESTAMP '2024-02-29 13:14:15.123456' AS ts, TIMESTAMPTZ '2024-02-29 13:14:15+00' AS tstz,
                   TIMESTAMP_S '2024-02-29 13:14:15' AS ts_s, TIMESTAMP_MS '2024-02-29 13:14:15.123' AS ts_ms,
                   TIMESTAMP_NS '2024-02-29 13:14:15.123456789' AS ts_ns
            """);

        r.GetBoolean(0, 0).ShouldBeTrue();
        r.GetInt32(0, 1).ShouldBe(7);
        r.GetInt32(0, 2).ShouldBe(300);
        r.GetInt32(0, 3).ShouldBe(70000);
        r.GetInt64(0, 4).ShouldBe(9_000_000_000L);
        r.GetInt32(0, 5).ShouldBe(200);
        r.GetInt64(0, 6).ShouldBe(4_000_000_000L);
        r.GetDecimal(0, 7).ShouldBe(18446744073709551615m);
        r.GetDouble(0, 8).ShouldBe(1.5);
        r.GetDouble(0, 9).ShouldBe(2.25);
        r.GetColumnType(10).ShouldBe(DuckDbType.Decimal);
        r.GetDecimal(0, 10).ShouldBe(123.45m);
        r.GetDouble(0, 10).ShouldBe(123.45, 1e-9);
        r.GetDecimal(0, 11).ShouldBe(1234567890.123456m);
        r.GetDecimal(0, 12).ShouldBe(-12345678901234567890.12m);
        r.GetColumnType(13).ShouldBe(DuckDbType.HugeInt);
        r.GetDecimal(0, 13).ShouldBe(12345678901234567890123m);
        Should.Throw<DuckDbException>(() => _conn.Query("SELECT 170141183460469231731687303715884105727::HUGEINT").GetDecimal(0, 0))
            .Message.ShouldContain("does not fit");
        r.GetString(0, 14).ShouldBe("héllo wörld ✓");
        r.GetDateTime(0, 15).ShouldBe(new DateTime(2024, 2, 29, 0, 0, 0, DateTimeKind.Utc));
        var expected = new DateTime(2024, 2, 29, 13, 14, 15, DateTimeKind.Utc);
        r.GetDateTime(0, 16).ShouldBe(expected.AddTicks(1_234_560));
        r.GetDateTime(0, 16).Kind.ShouldBe(DateTimeKind.Utc);
        r.GetDateTime(0, 17).ShouldBe(expected);
        r.GetDateTime(0, 18).ShouldBe(expected);
        r.GetDateTime(0, 19).ShouldBe(expected.AddMilliseconds(123));
        r.GetDateTime(0, 20).ShouldBe(expected.AddTicks(1_234_560));
    }

    [Fact]
    public void Query_NullValues_IsNullAndGettersThrow()
    {
        var r = _conn.Query("SELECT NULL::INTEGER AS i, NULL::VARCHAR AS s, 1 AS one");

        r.IsNull(0, 0).ShouldBeTrue();
        r.IsNull(0, 1).ShouldBeTrue();
        r.IsNull(0, 2).ShouldBeFalse();
        r.GetValue(0, 0).ShouldBeNull();
        Should.Throw<InvalidOperationException>(() => r.GetInt32(0, 0)).Message.ShouldContain("NULL");
        Should.Throw<InvalidOperationException>(() => r.GetString(0, 1));
    }

    [Fact]
    public void Query_WrongGetter_ThrowsInvalidCast()
    {
        var r = _conn.Query("SELECT 'text' AS s, 1 AS i");

        Should.Throw<InvalidCastException>(() => r.GetInt64(0, 0)).Message.ShouldContain("'s'");
        Should.Throw<InvalidCastException>(() => r.GetDateTime(0, 1));
    }

    [Fact]
    public void Query_UnsupportedType_ThrowsWithCastHint()
    {
        var ex = Should.Throw<DuckDbException>(() => _conn.Query("SELECT [1, 2, 3] AS l"));

        ex.Message.ShouldContain("CAST");
        ex.Message.ShouldContain("'l'");
    }

    [Fact]
    public void Query_ManyChunks_ReadsAllRows()
    {
        var r = _conn.Query("SELECT range AS x, CASE WHEN range % 7 = 0 THEN NULL ELSE 'v' || range END AS s FROM range(5000) ORDER BY x");

        r.RowCount.ShouldBe(5000);
        long sum = 0;
        var nulls = 0;
        for (var row = 0; row < r.RowCount; row++)
        {
            sum += r.GetInt64(row, 0);
            if (r.IsNull(row, 1))
            {
                nulls++;
            }
            else
            {
                r.GetString(row, 1).ShouldBe("v" + row);
            }
        }

        sum.ShouldBe(5000L * 4999 / 2);
        nulls.ShouldBe(715);
    }

    [Fact]
    public void Query_GetValue_BoxesEachKind()
    {
        var r = _conn.Query("SELECT true, 5::BIGINT, 1.5::DOUBLE, 2.5::DECIMAL(4,1), 'x', TIMESTAMP '2020-01-01'");

        r.GetValue(0, 0).ShouldBe(true);
        r.GetValue(0, 1).ShouldBe(5L);
        r.GetValue(0, 2).ShouldBe(1.5);
        r.GetValue(0, 3).ShouldBe(2.5m);
        r.GetValue(0, 4).ShouldBe("x");
        r.GetValue(0, 5).ShouldBe(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void GetOrdinal_UnknownColumn_ThrowsArgumentException()
    {
        var r = _conn.Query("SELECT 1 AS a");

        r.GetOrdinal("A").ShouldBe(0);
        Should.Throw<ArgumentException>(() => r.GetOrdinal("b"));
    }

    [Fact]
    public void Query_AfterDispose_ThrowsObjectDisposedException()
    {
        var conn = _db.Connect();
        conn.Dispose();

        conn.IsDisposed.ShouldBeTrue();
        Should.Throw<ObjectDisposedException>(() => conn.Query("SELECT 1"));
        Should.Throw<ObjectDisposedException>(() => conn.Execute("SELECT 1"));
        Should.Throw<ObjectDisposedException>(() => conn.Prepare("SELECT 1"));
        Should.Throw<ObjectDisposedException>(() => conn.CreateAppender("t"));
        conn.Dispose();
    }

    [Fact]
    public void Execute_MultipleStatements_RunsAll()
    {
        _conn.Execute("CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1), (2);");

        _conn.Query("SELECT count(*) FROM a").GetInt64(0, 0).ShouldBe(2);
    }

    [Fact]
    public void Query_BareNullLiteral_ReadsAsNull()
    {
        var r = _conn.Query("SELECT NULL AS x");

        r.RowCount.ShouldBe(1);
        r.IsNull(0, 0).ShouldBeTrue();
    }

    [Fact]
    public void Query_EmptyResult_HasColumnsAndNoRows()
    {
        var r = _conn.Query("SELECT 1 AS a, 'x' AS b WHERE false");

        r.RowCount.ShouldBe(0);
        r.ColumnCount.ShouldBe(2);
        Should.Throw<ArgumentOutOfRangeException>(() => r.GetInt32(0, 0));
    }

    [Fact]
    public void Query_DdlStatement_ReturnsEmptyResult()
    {
        var r = _conn.Query("CREATE TABLE ddl (x INTEGER)");

        r.RowCount.ShouldBe(0);
    }

    [Fact]
    public void GetDateTime_InfinityTimestamp_ThrowsOutOfRange()
    {
        var r = _conn.Query("SELECT 'infinity'::TIMESTAMP, '-infinity'::TIMESTAMP_S");

        Should.Throw<ArgumentOutOfRangeException>(() => r.GetDateTime(0, 0));
        Should.Throw<ArgumentOutOfRangeException>(() => r.GetDateTime(0, 1));
    }
}
