using System.Text;
using System.Text.Json;
using Sluice.Log;

namespace Sluice.Server.Tests.Jobs;

public sealed class JobResumeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-server-resume-").FullName;

    private string LogDirectory => Path.Combine(_directory, "log");

    private string CopySql => $"""
        CREATE TABLE src (id BIGINT) WITH ('connector' = 'sluice-log', 'path' = '{LogDirectory}', 'topic' = 'in',
          'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
        CREATE TABLE dst (id BIGINT) WITH ('connector' = 'sluice-log', 'path' = '{LogDirectory}', 'topic' = 'out',
          'topic.partitions' = '1', 'format' = 'json', 'sink.delivery-guarantee' = 'exactly-once',
          'sink.transactional-id-prefix' = 'copy');
        INSERT INTO dst SELECT id FROM src;
        """;

    [Fact]
    public async Task Restart_RunningSqlJob_IsResumedFromItsSavepointWithoutDuplicates()
    {
        Append(1, 2, 3, 4, 5);
        string id;
        await using (var first = await ServerFixture.StartAsync(_directory))
        {
            id = await JobApi.SubmitOkAsync(first.Authorized, new { sql = CopySql, name = "copy", checkpointIntervalMs = 100 });
            await WaitForSinkRecordsAsync(first.Anonymous, id, 5);
        }
        var definition = await File.ReadAllTextAsync(Path.Combine(_directory, "jobs", id + ".json"));
        using (var saved = JsonDocument.Parse(definition))
        {
            saved.RootElement.GetProperty("savepoint").GetString()!.ShouldStartWith(Path.Combine(_directory, "checkpoints", "savepoints", id + "-"));
        }
        Append(6, 7, 8);

        await using (var second = await ServerFixture.StartAsync(_directory))
        {
            (await second.Anonymous.GetAsync("/readyz")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
            using var list = JsonDocument.Parse(await second.Anonymous.GetStringAsync("/api/jobs"));
            var jobs = list.RootElement.EnumerateArray().ToList();
            jobs.Count.ShouldBe(1);
            jobs[0].GetProperty("id").GetString().ShouldBe(id);
            jobs[0].GetProperty("name").GetString().ShouldBe("copy");
            // Resumed, not started over: this run reads only the three records appended while the server was down.
            await WaitForSinkRecordsAsync(second.Anonymous, id, 3);
            (await JobApi.GetJobAsync(second.Anonymous, id)).GetProperty("status").GetString().ShouldBe("Running");
        }

        ReadOut().ShouldBe([1, 2, 3, 4, 5, 6, 7, 8]);
    }

    [Fact]
    public async Task Restart_StoppedJob_IsNotResumed()
    {
        Append(1);
        await using (var first = await ServerFixture.StartAsync(_directory))
        {
            var id = await JobApi.SubmitOkAsync(first.Authorized, new { sql = CopySql, checkpointIntervalMs = 100 });
            await WaitForSinkRecordsAsync(first.Anonymous, id, 1);
            using var stop = await first.Authorized.PostAsync($"/api/jobs/{id}/stop", content: null);
            stop.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        }

        await using var second = await ServerFixture.StartAsync(_directory);

        (await second.Anonymous.GetStringAsync("/api/jobs")).ShouldBe("[]");
    }

    private static async Task WaitForSinkRecordsAsync(HttpClient client, string id, long count)
    {
        await JobApi.EventuallyAsync(() => JobApi.GetJobAsync(client, id), job =>
        {
            var nodes = job.GetProperty("plan").GetProperty("nodes").EnumerateArray().ToList();
            // The table's sink, not the dead-letter queue's (DeadLetterQueue(in.dlq)) the planner adds after it.
            var sink = nodes.Last(n => n.GetProperty("kind").GetString() == "Sink" && n.GetProperty("name").GetString()!.StartsWith("TableSink(", StringComparison.Ordinal)).GetProperty("uid").GetString();
            return job.GetProperty("operatorTotals").EnumerateArray().Any(t => t.GetProperty("uid").GetString() == sink && t.GetProperty("recordsIn").GetInt64() == count);
        }, $"the sink of job {id} to take {count} records");
    }

    private void Append(params long[] ids)
    {
        using var log = PartitionedLog.Open(LogDirectory);
        var topic = log.TryGetTopic("in", out var existing) ? existing : log.CreateTopic("in", new TopicConfig { Partitions = 1 });
        var records = new ProducerRecord[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            records[i] = new ProducerRecord(null, Encoding.UTF8.GetBytes($"{{\"id\":{ids[i]}}}"));
        }
        topic.GetPartition(0).Append(records);
        log.Flush();
    }

    private List<long> ReadOut()
    {
        using var log = PartitionedLog.Open(LogDirectory);
        var partition = log.GetPartition("out", 0);
        var ids = new List<long>();
        using var result = new FetchResult();
        var offset = partition.LogStartOffset;
        while (offset < partition.LastStableOffset)
        {
            partition.Fetch(offset, new FetchOptions(Isolation: IsolationLevel.ReadCommitted), result);
            foreach (var record in result.ToList())
            {
                using var json = JsonDocument.Parse(record.Value);
                ids.Add(json.RootElement.GetProperty("id").GetInt64());
            }
            offset = result.NextOffset;
        }
        return ids;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
