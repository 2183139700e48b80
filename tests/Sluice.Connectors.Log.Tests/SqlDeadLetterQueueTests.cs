using System.Text;
using Sluice.Connectors.Log.Tests.Support;
using Sluice.Log;
using Sluice.Sql.Session;

namespace Sluice.Connectors.Log.Tests;

/// <summary>
/// SQL jobs over 'sluice-log' tables: every dead letter — a record the source cannot decode, a row a CHECK constraint
/// with ON VIOLATION DLQ refuses — lands in <c>&lt;source topic&gt;.dlq</c>
/// in the one envelope, read back here through <see cref="DeadLetterQueue"/> as <c>sluice dlq</c> reads it.
/// </summary>
public sealed class SqlDeadLetterQueueTests : IDisposable
{
    private static readonly TimeSpan s_jobTimeout = TimeSpan.FromMinutes(1);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sluice-sqldlq-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private void WriteBids()
    {
        using var log = PartitionedLog.Open(_directory);
        log.CreateTopic("bids", new TopicConfig { Partitions = 2 });
        log.GetPartition("bids", 0).Append(
        [
            ProducerRecord.FromArrays(null, """{"auction":1,"price":10}"""u8.ToArray(), 100),
            ProducerRecord.FromArrays(null, """{"auction":2,"price":500}"""u8.ToArray(), 101),
        ]);
        log.GetPartition("bids", 1).Append(
        [
            ProducerRecord.FromArrays("k"u8.ToArray(), "{oops"u8.ToArray(), 103),
            ProducerRecord.FromArrays(null, """{"auction":3,"price":20}"""u8.ToArray(), 104),
        ]);
    }

    private SqlSession Session()
    {
        var session = SqlSession.Create(new SqlSessionOptions { Connectors = new ConnectorRegistry().AddAssembly(typeof(LogConnectorFactory).Assembly) });
        session.Execute($"""
            CREATE TABLE bids (auction BIGINT, price BIGINT) WITH ('connector' = 'sluice-log', 'path' = '{_directory}', 'topic' = 'bids',
              'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')
            """);
        session.Execute($"""
            CREATE TABLE cheap (auction BIGINT, price BIGINT,
              CONSTRAINT price_low CHECK (price < 100) ON VIOLATION DLQ
            ) WITH ('connector' = 'sluice-log', 'path' = '{_directory}', 'topic' = 'cheap', 'topic.partitions' = '1', 'format' = 'json')
            """);
        return session;
    }

    [Fact]
    public async Task Insert_ParseAndCheckFailures_LandInSourceDotDlqWithReasonFieldAndOrigin()
    {
        WriteBids();
        var session = Session();

        var job = session.Execute("INSERT INTO cheap SELECT auction, price FROM bids").ShouldHaveSingleItem().ShouldBeOfType<SqlJobResult>();
        await job.Job.Completion.WaitAsync(s_jobTimeout);

        SharedLogs.ReferencesTo(_directory).ShouldBe(0, "the job released the log, the dead-letter sink's hold included");
        using var log = PartitionedLog.Open(_directory);
        TempLog.ReadAll(log, "cheap").Select(r => Encoding.UTF8.GetString(r.Record.Value!)).Order(StringComparer.Ordinal)
            .ShouldBe(["""{"auction":1,"price":10}""", """{"auction":3,"price":20}"""]);
        var queue = new DeadLetterQueue(log);
        queue.ListTopics().Topics.Select(t => t.Topic).ShouldBe(["bids.dlq"]);
        var letters = queue.Select("bids", DeadLetterFilter.All, 0, 100, null, out _).OrderBy(l => l.Kind, StringComparer.Ordinal).ToList();
        letters.Select(l => l.Kind).ShouldBe(["parse", "rule"]);
        letters.ShouldAllBe(l => l.Origin == "insert-into_cheap" && l.OriginTopic == "bids");

        var parse = letters[0];
        (parse.OriginPartition, parse.OriginOffset, parse.Payload, parse.Key, parse.IngestTime).ShouldBe(((int?)1, (long?)0, "{oops", "k", (long?)103));

        var rule = letters[1];
        (rule.Rule, rule.Field, rule.Operator).ShouldBe(("price_low", "price", "Check(cheap)"));
        rule.Reason.ShouldContain("rule 'price_low'");
        rule.Reason.ShouldContain("field 'price'");
        rule.Payload!.ShouldContain("500");
        (rule.OriginPartition, rule.OriginOffset).ShouldBe((null, null), "a row on its way into a table has left its source record's position behind");
    }

    [Fact]
    public void Explain_InsertFromLogTable_ShowsTheDeadLetterQueueSink()
    {
        WriteBids();
        var session = Session();

        var plan = session.Execute("EXPLAIN INSERT INTO cheap SELECT auction, price FROM bids").ShouldHaveSingleItem().ShouldBeOfType<SqlExplainResult>();

        plan.Plan.ShouldContain("DeadLetterQueue(bids.dlq)");
    }
}
