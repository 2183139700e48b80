using DuckDB.NET.Data;
using Sluice.Connectors.Log;
using Sluice.Examples.Clickstream;
using Sluice.Examples.Clickstream.Demo;
using Sluice.Log;

namespace Sluice.Examples.Tests;

/// <summary>
/// The demo end to end on bounded input. Every expectation is computed from the generator's own record of what it
/// produced (<see cref="DemoInputTruth"/>) with LINQ — never from the pipeline's output.
/// </summary>
public sealed class ClickstreamDemoTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-demo-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Demo_BoundedRun_GoldTablesEqualIndependentCountsAndEveryRecordIsAccountedFor()
    {
        var stats = new DemoStats();
        var run = await ClickstreamDemo.RunAsync(new DemoOptions(20_000, Seed: 5, _dir) { CheckpointInterval = TimeSpan.FromMilliseconds(200) }, stats)
            .WaitAsync(TimeSpan.FromMinutes(3));
        var truth = run.Truth;
        truth.Malformed.Count.ShouldBeGreaterThan(50);
        truth.Duplicates.Count.ShouldBeGreaterThan(100);
        truth.Late.Count.ShouldBeGreaterThan(20);

        AccountingShouldHold(stats, truth);

        using (var sql = DuckDbQueries.Open(run.Paths.Warehouse))
        {
            Rows(sql, "SELECT page, epoch_ms(window_start), views, unique_users FROM page_minute")
                .ShouldBe(ExpectedPageMinutes(truth.OnTime));
            Rows(sql, "SELECT user_id, epoch_ms(session_start), epoch_ms(session_end), events FROM sessions")
                .ShouldBe(ExpectedSessions(truth.OnTime));
            Rows(sql, "SELECT user_id, round(spend_10m, 2), events_10m, epoch_ms(last_seen) FROM user_features")
                .ShouldBe(ExpectedFeatures(truth.OnTime));
            Rows(sql, "SELECT event_id FROM late_events").ShouldBe(truth.Late.Select(l => l.EventId).Order(StringComparer.Ordinal).ToList());
            Rows(sql, $"SELECT count(*) FROM read_parquet('{run.Paths.Lake}/bronze_clicks/**/*.parquet', hive_partitioning = true)")
                .ShouldBe([truth.Lines.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        using var log = PartitionedLog.Open(run.Paths.Log);
        var dlq = log.GetTopic(DemoPipeline.DlqTopic);
        long dlqRecords = 0;
        for (var p = 0; p < dlq.PartitionCount; p++)
        {
            dlqRecords += dlq.GetPartition(p).LastStableOffset;
        }
        dlqRecords.ShouldBeGreaterThanOrEqualTo(truth.Malformed.Count, "every malformed line is in the DLQ (plus transaction markers)");

        // The DLQ holds each malformed line once, in the one envelope: original bytes, origin position, kind, job.
        var letters = new DeadLetterQueue(log).Select("clicks", DeadLetterFilter.All, 0, int.MaxValue, null, out _);
        letters.Select(l => l.Payload).Order(StringComparer.Ordinal).ShouldBe(truth.Malformed.Order(StringComparer.Ordinal));
        letters.ShouldAllBe(l => l.OriginTopic == DemoInput.Topic && l.OriginPartition != null && l.OriginOffset != null
            && (l.Kind == "parse" || l.Kind == "schema") && l.Origin == "clickstream-demo" && l.Operator == "parse" && l.Attempt == 1);
        letters.Where(l => l.Kind == "schema").ShouldAllBe(l => l.Field != null && l.Reason.Contains(l.Field!));

        // The summary `sluice demo` prints is the DLQ's own count, read from the topic when the run ended.
        var summary = run.DeadLetters.ShouldNotBeNull();
        summary.Records.ShouldBe(truth.Malformed.Count);
        summary.Kinds.Sum(k => k.Count).ShouldBe(truth.Malformed.Count);
    }

    /// <summary>
    /// The same seed and events with the input in a Kafka topic on the mock cluster (read by a bounded Kafka source)
    /// instead of the embedded log: the same accounting and exactly the same gold tables, late events and bronze rows.
    /// </summary>
    [Fact]
    public async Task Demo_KafkaMockInput_SameTablesAndAccountingAsTheLogInput()
    {
        const int Events = 20_000;
        var logRun = await ClickstreamDemo.RunAsync(new DemoOptions(Events, Seed: 5, Path.Combine(_dir, "log")), new DemoStats()).WaitAsync(TimeSpan.FromMinutes(3));
        using var cluster = new Connectors.Kafka.Testing.KafkaMockCluster();
        cluster.CreateTopic(DemoInput.Topic, DemoInput.Partitions);
        var stats = new DemoStats();
        var kafkaRun = await ClickstreamDemo.RunAsync(new DemoOptions(Events, Seed: 5, Path.Combine(_dir, "kafka"))
        {
            Kafka = DemoKafkaOptions.ForMock(cluster),
            CheckpointInterval = TimeSpan.FromMilliseconds(200),
        }, stats).WaitAsync(TimeSpan.FromMinutes(3));

        var truth = kafkaRun.Truth;
        truth.Late.Count.ShouldBeGreaterThan(20, "the comparison should cover late events");
        AccountingShouldHold(stats, truth);
        var kafkaTables = AllTables(kafkaRun.Paths);
        kafkaTables.Count.ShouldBeGreaterThan(Events, "bronze rows plus gold rows");
        kafkaTables.ShouldBe(AllTables(logRun.Paths));
        using var sql = DuckDbQueries.Open(kafkaRun.Paths.Warehouse);
        Rows(sql, "SELECT page, epoch_ms(window_start), views, unique_users FROM page_minute").ShouldBe(ExpectedPageMinutes(truth.OnTime));
    }

    [Fact]
    public async Task Demo_RunTwiceWithTheSameSeed_GivesIdenticalGoldTables()
    {
        var first = await TablesAfterRun(Path.Combine(_dir, "a"), parallelism: 1);
        var second = await TablesAfterRun(Path.Combine(_dir, "b"), parallelism: 3);
        second.ShouldBe(first);
    }

    private static async Task<List<string>> TablesAfterRun(string dir, int parallelism)
    {
        var run = await ClickstreamDemo.RunAsync(new DemoOptions(8_000, Seed: 9, dir, Parallelism: parallelism), new DemoStats()).WaitAsync(TimeSpan.FromMinutes(3));
        return AllTables(run.Paths);
    }

    /// <summary>in = out + DLQ + late + duplicates, exactly, each count equal to the generator's record of it.</summary>
    private static void AccountingShouldHold(DemoStats stats, DemoInputTruth truth)
    {
        stats.Ingested.ShouldBe(truth.Lines.Count);
        stats.DeadLetteredCount.ShouldBe(truth.Malformed.Count);
        stats.Duplicates.ShouldBe(truth.Duplicates.Count);
        stats.Late.ShouldBe(truth.Late.Count);
        stats.Output.ShouldBe(truth.OnTime.Count);
        (stats.Output + stats.DeadLetteredCount + stats.Late + stats.Duplicates).ShouldBe(truth.Lines.Count);
    }

    /// <summary>Every gold table, the late events (without the watermark at arrival, which depends on timing) and every bronze row with its partition, offset and timestamp, sorted.</summary>
    private static List<string> AllTables(DemoPaths paths)
    {
        using var sql = DuckDbQueries.Open(paths.Warehouse);
        return
        [
            .. Rows(sql, "SELECT 'page_minute', * FROM page_minute"),
            .. Rows(sql, "SELECT 'sessions', * FROM sessions"),
            .. Rows(sql, "SELECT 'user_features', * FROM user_features"),
            .. Rows(sql, "SELECT 'late', event_id, user_id, page, ts FROM late_events"),
            .. Rows(sql, $"SELECT 'bronze', \"partition\", \"offset\", ts, raw FROM read_parquet('{paths.Lake}/bronze_clicks/**/*.parquet', hive_partitioning = true)"),
        ];
    }

    private static List<string> Rows(DuckDBConnection sql, string query)
    {
        var result = sql.Query(query);
        var rows = new List<string>();
        for (var r = 0; r < result.RowCount; r++)
        {
            rows.Add(string.Join('|', Enumerable.Range(0, result.ColumnCount).Select(c =>
                result.IsNull(r, c) ? "NULL" : Convert.ToString(result.GetValue(r, c), System.Globalization.CultureInfo.InvariantCulture))));
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static List<string> ExpectedPageMinutes(IEnumerable<ClickEvent> onTime) =>
        [.. onTime.Where(c => c.Action == "view")
            .GroupBy(c => (c.Page, Start: c.Ts - (c.Ts % 60_000)))
            .Select(g => $"{g.Key.Page}|{g.Key.Start}|{g.Count()}|{g.Select(c => c.UserId).Distinct().Count()}")
            .Order(StringComparer.Ordinal)];

    private static List<string> ExpectedSessions(IEnumerable<ClickEvent> onTime)
    {
        const long Gap = 15 * 60_000;
        var rows = new List<string>();
        foreach (var user in onTime.GroupBy(c => c.UserId))
        {
            var times = user.Select(c => c.Ts).Order().ToList();
            long start = times[0], last = times[0], count = 1;
            foreach (var t in times.Skip(1))
            {
                if (t > last + Gap)
                {
                    rows.Add($"{user.Key}|{start}|{last + Gap}|{count}");
                    start = t;
                    count = 0;
                }
                last = t;
                count++;
            }
            rows.Add($"{user.Key}|{start}|{last + Gap}|{count}");
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static List<string> ExpectedFeatures(IEnumerable<ClickEvent> onTime) =>
        [.. onTime.GroupBy(c => c.UserId).Select(user =>
        {
            var last = user.Max(c => c.Ts);
            var recent = user.Where(c => c.Ts > last - 600_000).ToList();
            var spend = Math.Round(recent.Where(c => c.Action == "purchase").Sum(c => c.Amount), 2);
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{user.Key}|{spend}|{recent.Count}|{last}");
        }).Order(StringComparer.Ordinal)];
}
