using System.Runtime.CompilerServices;

namespace Sluice.Connectors.DuckDb.Tests;

public sealed class DuckDbDatabaseTests
{
    [Fact]
    public void LibraryVersion_Loaded_Is156()
    {
        DuckDbDatabase.LibraryVersion.ShouldBe("v1.5.6");
    }

    [Fact]
    public void OpenInMemory_SimpleQuery_ReturnsValue()
    {
        using var db = DuckDbDatabase.OpenInMemory();
        using var conn = db.Connect();

        var result = conn.Query("SELECT 42 AS answer, 'hi' AS greeting");

        result.RowCount.ShouldBe(1);
        result.ColumnCount.ShouldBe(2);
        result.GetColumnName(0).ShouldBe("answer");
        result.GetColumnType(0).ShouldBe(DuckDbType.Integer);
        result.GetInt32(0, 0).ShouldBe(42);
        result.GetString(0, result.GetOrdinal("greeting")).ShouldBe("hi");
    }

    [Fact]
    public void OpenInMemory_TwoDatabases_AreIndependent()
    {
        using var first = DuckDbDatabase.OpenInMemory();
        using var second = DuckDbDatabase.OpenInMemory();
        using var a = first.Connect();
        using var b = second.Connect();

        a.Execute("CREATE TABLE t (x INTEGER)");

        Should.Throw<DuckDbException>(() => b.Query("SELECT * FROM t"));
    }

    [Fact]
    public void Open_File_PersistsDataAcrossReopen()
    {
        using var dir = new TempDirectory();
        var path = dir.File("warehouse.duckdb");

        using (var db = DuckDbDatabase.Open(path))
        using (var conn = db.Connect())
        {
            conn.Execute("CREATE TABLE events (id BIGINT, name VARCHAR)");
            conn.Execute("INSERT INTO events VALUES (1, 'a'), (2, 'b')").ShouldBe(2);
        }

        File.Exists(path).ShouldBeTrue();
        using (var db = DuckDbDatabase.Open(path))
        using (var conn = db.Connect())
        {
            conn.Query("SELECT sum(id) FROM events").GetInt64(0, 0).ShouldBe(3);
        }
    }

    [Fact]
    public void Open_SameFileTwice_SharesOneInstance()
    {
        using var dir = new TempDirectory();
        var path = dir.File("shared.duckdb");
        using var first = DuckDbDatabase.Open(path);
        using var second = DuckDbDatabase.Open(path);
        using var a = first.Connect();
        using var b = second.Connect();

        a.Execute("CREATE TABLE t AS SELECT 1 AS x");

        b.Query("SELECT x FROM t").GetInt32(0, 0).ShouldBe(1);
    }

    [Fact]
    public void Open_WithOptions_AppliesThem()
    {
        using var db = DuckDbDatabase.OpenInMemory(new Dictionary<string, string> { ["threads"] = "2" });
        using var conn = db.Connect();

        conn.Query("SELECT current_setting('threads')").GetInt64(0, 0).ShouldBe(2);
    }

    [Fact]
    public void Open_UnknownOption_ThrowsDuckDbException()
    {
        var ex = Should.Throw<DuckDbException>(
            () => DuckDbDatabase.OpenInMemory(new Dictionary<string, string> { ["no_such_option"] = "1" }));

        ex.Message.ShouldContain("no_such_option");
    }

    [Fact]
    public void Open_PathInMissingDirectory_ThrowsWithDuckDbMessage()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "missing", "sub", "x.duckdb");

        var ex = Should.Throw<DuckDbException>(() => DuckDbDatabase.Open(path));

        ex.Message.ShouldContain(path);
    }

    [Fact]
    public void Connect_AfterDispose_ThrowsObjectDisposedException()
    {
        var db = DuckDbDatabase.OpenInMemory();
        db.Dispose();

        Should.Throw<ObjectDisposedException>(() => db.Connect());
    }

    [Fact]
    public void Dispose_WhileConnectionOpen_ConnectionKeepsWorking()
    {
        var db = DuckDbDatabase.OpenInMemory();
        using var conn = db.Connect();

        db.Dispose();

        conn.Query("SELECT 1").GetInt32(0, 0).ShouldBe(1);
    }

    [Fact]
    public void Connect_ParallelConnections_EachSeesCommittedData()
    {
        using var db = DuckDbDatabase.OpenInMemory();
        using (var setup = db.Connect())
        {
            setup.Execute("CREATE TABLE t AS SELECT range AS x FROM range(1000)");
        }

        var sums = new long[4];
        Parallel.For(0, sums.Length, i =>
        {
            using var conn = db.Connect();
            sums[i] = conn.Query("SELECT sum(x) FROM t").GetInt64(0, 0);
        });

        sums.ShouldAllBe(s => s == 499_500);
    }

    [Fact]
    public void Finalizer_LeakedObjects_ReleasedInAnyOrderWithoutCrash()
    {
        using var dir = new TempDirectory();
        var path = dir.File("leak.duckdb");
        LeakEverything(path);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // The leaked database was released by the finalizers (committed data is on disk); the file opens again.
        using var db = DuckDbDatabase.Open(path);
        using var conn = db.Connect();
        conn.Query("SELECT count(*) FROM t").GetInt64(0, 0).ShouldBe(1);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LeakEverything(string path)
    {
        var db = DuckDbDatabase.Open(path);
        var conn = db.Connect();
        conn.Execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)");
        conn.Prepare("SELECT * FROM t");
        conn.CreateAppender("t");
    }
}
