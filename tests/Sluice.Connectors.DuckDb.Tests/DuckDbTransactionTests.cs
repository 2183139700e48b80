namespace Sluice.Connectors.DuckDb.Tests;

public sealed class DuckDbTransactionTests : IDisposable
{
    private readonly DuckDbDatabase _db = DuckDbDatabase.OpenInMemory();
    private readonly DuckDbConnection _conn;

    public DuckDbTransactionTests()
    {
        _conn = _db.Connect();
        _conn.Execute("CREATE TABLE t (x INTEGER)");
    }

    public void Dispose()
    {
        _conn.Dispose();
        _db.Dispose();
    }

    private long Count() => _conn.Query("SELECT count(*) FROM t").GetInt64(0, 0);

    [Fact]
    public void Rollback_AfterInsertsAndAppender_LeavesNothing()
    {
        using (var tx = _conn.BeginTransaction())
        {
            _conn.Execute("INSERT INTO t SELECT * FROM range(100)");
            using (var appender = _conn.CreateAppender("t"))
            {
                appender.Append(7).EndRow();
            }

            Count().ShouldBe(101);
            tx.Rollback();
            tx.IsActive.ShouldBeFalse();
        }

        Count().ShouldBe(0);
    }

    [Fact]
    public void Commit_AfterInsert_IsVisibleToOtherConnections()
    {
        using var other = _db.Connect();
        using (var tx = _conn.BeginTransaction())
        {
            _conn.Execute("INSERT INTO t VALUES (1), (2)");
            other.Query("SELECT count(*) FROM t").GetInt64(0, 0).ShouldBe(0);
            tx.Commit();
        }

        other.Query("SELECT count(*) FROM t").GetInt64(0, 0).ShouldBe(2);
    }

    [Fact]
    public void Dispose_WithoutCommit_RollsBack()
    {
        using (_conn.BeginTransaction())
        {
            _conn.Execute("INSERT INTO t VALUES (1)");
        }

        Count().ShouldBe(0);
    }

    [Fact]
    public void Commit_Twice_ThrowsInvalidOperation()
    {
        using var tx = _conn.BeginTransaction();
        tx.Commit();

        Should.Throw<InvalidOperationException>(() => tx.Commit());
    }

    [Fact]
    public void BeginTransaction_Nested_ThrowsDuckDbException()
    {
        using var tx = _conn.BeginTransaction();

        Should.Throw<DuckDbException>(() => _conn.BeginTransaction()).Message.ShouldContain("transaction");
    }
}
