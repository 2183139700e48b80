using Sluice.Checkpoints;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>
/// Optimistic concurrency: writers race for the next version; concurrent appends retry, a concurrent metadata change
/// fails the append, a concurrent commit of the same transaction makes it a no-op. "Concurrently" is made
/// deterministic by committing the other writer's append while this writer's rows are being enumerated — after it
/// read the table, before it commits.
/// </summary>
public sealed class ConcurrencyTests
{
    private static readonly Schema s_schema = Schema.Parse("writer INT NOT NULL, n BIGINT NOT NULL");

    private static IEnumerable<Row> RowsThen(Action concurrently, params Row[] rows)
    {
        foreach (var row in rows)
        {
            yield return row;
        }
        concurrently();
    }

    [Fact]
    public void Append_ConcurrentBlindAppend_RetriesAtTheNextVersion()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);
        var other = DeltaTable.Open(table.Path);

        var result = table.Append(RowsThen(() => other.Append([Row.Of(s_schema, 2, 1L)]), Row.Of(s_schema, 1, 1L)));

        result.Version.ShouldBe(2);
        result.Attempts.ShouldBe(2);
        table.ReadRows().Select(r => r.GetInt32(0)).Order().ShouldBe([1, 2]);
    }

    [Fact]
    public void Append_ConcurrentMetadataChange_FailsAndLeavesNoTrace()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);
        var other = DeltaTable.Open(table.Path);
        var wider = Schema.Parse("writer INT NOT NULL, n BIGINT NOT NULL, extra STRING");

        var error = Should.Throw<DeltaException>(() => table.Append(RowsThen(
            () => other.Append([Row.Of(wider, 2, 1L, "x")], new DeltaAppendOptions { MergeSchema = true }),
            Row.Of(s_schema, 1, 1L))));

        error.Version.ShouldBe(1);
        error.Message.ShouldContain("metadata");
        table.GetSnapshot().Version.ShouldBe(1);
        Directory.GetFiles(table.Path, "*.parquet").Length.ShouldBe(1); // only the other writer's file
        Directory.GetFiles(Path.Combine(table.Path, "_delta_log")).Select(Path.GetFileName).Order()
            .ShouldBe(["00000000000000000000.json", "00000000000000000001.json"]);
    }

    [Fact]
    public void Append_ConcurrentCommitOfTheSameTransaction_IsANoOp()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);
        var other = DeltaTable.Open(table.Path);
        var txn = new DeltaAppendOptions { AppId = "job/sink/3", TransactionVersion = 5 };

        var result = table.Append(RowsThen(() => other.Append([Row.Of(s_schema, 2, 1L)], txn), Row.Of(s_schema, 1, 1L)), txn);

        result.Skipped.ShouldBeTrue();
        table.ReadRows().Select(r => r.GetInt32(0)).ShouldBe([2]);
        Directory.GetFiles(table.Path, "*.parquet").Length.ShouldBe(1);
    }

    [Fact]
    public async Task Append_TwoWritersRacing_BothSucceedAndTheHistoryIsSerial()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema, options: new DeltaTableOptions { CheckpointInterval = 5 });
        const int PerWriter = 15;
        using var start = new Barrier(2);

        async Task<List<long>> Writer(int id) => await Task.Run(() =>
        {
            var own = DeltaTable.Open(table.Path, table.Options);
            start.SignalAndWait();
            var versions = new List<long>();
            for (var n = 0; n < PerWriter; n++)
            {
                versions.Add(own.Append([Row.Of(s_schema, id, (long)n)], new DeltaAppendOptions { AppId = $"writer-{id}", TransactionVersion = n }).Version!.Value);
            }
            return versions;
        });
        var results = await Task.WhenAll(Writer(1), Writer(2));

        // Every commit got its own version, 1..30 with no gap and no duplicate.
        results.SelectMany(v => v).Order().ShouldBe(Enumerable.Range(1, 2 * PerWriter).Select(v => (long)v));
        // Each writer's commits are in its own order, and replaying version by version gives each commit's rows once.
        results[0].ShouldBe(results[0].Order());
        results[1].ShouldBe(results[1].Order());
        var snapshot = table.GetSnapshot();
        snapshot.Version.ShouldBe(2 * PerWriter);
        snapshot.GetTransactionVersion("writer-1").ShouldBe(PerWriter - 1);
        snapshot.GetTransactionVersion("writer-2").ShouldBe(PerWriter - 1);
        var rows = table.ReadRows().Select(r => (r.GetInt32(0), r.GetInt64(1))).Order().ToList();
        rows.ShouldBe([.. Enumerable.Range(0, PerWriter).Select(n => (1, (long)n)), .. Enumerable.Range(0, PerWriter).Select(n => (2, (long)n))]);
        for (var v = 1; v <= 2 * PerWriter; v++)
        {
            table.GetSnapshot(v).FileCount.ShouldBe(v);
        }
    }

    [Fact]
    public async Task ToDelta_TwoStreamingJobsAppendingToOneTable_BothSucceedAndEveryVersionIsThePreviousPlusItsAdds()
    {
        using var temp = new TempDirectory();
        var path = temp.File("t");
        DeltaTable.Create(path, s_schema);
        const int PerJob = 4000;

        Task<JobResult> Job(int id)
        {
            var env = StreamEnvironment.Create(new JobOptions
            {
                JobName = $"job-{id}",
                Parallelism = 2,
                BatchSize = 16,
                Checkpoints = CheckpointOptions.InDirectory(temp.File($"checkpoints-{id}"), TimeSpan.FromMilliseconds(10)),
            });
            env.FromCollection(Enumerable.Range(0, PerJob).Select(n => Row.Of(s_schema, id, (long)n))).ToDelta(path, s_schema).Uid("delta");
            return env.ExecuteAsync();
        }
        var results = await Task.WhenAll(Job(1), Job(2)).WaitAsync(TimeSpan.FromSeconds(60));

        results.Length.ShouldBe(2);
        var table = DeltaTable.Open(path);
        var latest = table.GetSnapshot();
        // No lost and no duplicated row: the table is both inputs, once each.
        table.ReadRows(latest).Select(r => (r.GetInt32(0), r.GetInt64(1))).Order().ShouldBe(
            [.. Enumerable.Range(0, PerJob).Select(n => (1, (long)n)), .. Enumerable.Range(0, PerJob).Select(n => (2, (long)n))]);
        // Serializable history: every version's files are exactly the previous version's plus the adds of its commit,
        // and every commit is one job's (one txn of its appId).
        var committers = new HashSet<string>(StringComparer.Ordinal);
        for (var version = 1L; version <= latest.Version; version++)
        {
            var adds = new List<string>();
            var txns = new List<string>();
            foreach (var line in File.ReadLines(Path.Combine(path, "_delta_log", $"{version:D20}.json")))
            {
                using var action = System.Text.Json.JsonDocument.Parse(line);
                if (action.RootElement.TryGetProperty("add", out var add))
                {
                    adds.Add(add.GetProperty("path").GetString()!);
                }
                else if (action.RootElement.TryGetProperty("txn", out var txn))
                {
                    txns.Add(txn.GetProperty("appId").GetString()!);
                }
            }
            txns.Count.ShouldBe(1, $"version {version}");
            committers.Add(txns[0].Split('/')[0]);
            var before = table.GetSnapshot(version - 1).ActiveFiles.Select(f => f.Path);
            table.GetSnapshot(version).ActiveFiles.Select(f => f.Path).Order(StringComparer.Ordinal)
                .ShouldBe(before.Concat(adds).Order(StringComparer.Ordinal), $"version {version}");
        }
        committers.ShouldBe(["job-1", "job-2"], ignoreOrder: true);
    }
}
