using System.Net;
using Sluice.Checkpoints;
using Sluice.Connectors.Log;
using Sluice.Formats;
using Sluice.Log;
using Sluice.Server.Metrics;

namespace Sluice.Server.Tests.Metrics;

/// <summary>
/// <c>GET /metrics</c> of a real server while a job runs in the process: a log topic (2 partitions, consumer group
/// <c>metrics-e2e</c>) → a map at parallelism 2 → a log topic at parallelism 1 (three tasks with exchanges between), checkpointed
/// every 100 ms. The page passes <c>promtool check metrics</c> and carries every series the docs list.
/// </summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private const string Group = "metrics-e2e";
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-metrics-").FullName;
    private ServerFixture _server = null!;
    private PartitionedLog _log = null!;
    private JobClient _job = null!;

    public async Task InitializeAsync()
    {
        _server = await ServerFixture.StartAsync();
        _log = PartitionedLog.Open(Path.Combine(_directory, "log"));
        _log.CreateTopic("in", new TopicConfig { Partitions = 2 });
        _log.CreateTopic("out");
        LogConsumerLagInstruments.Track(_log);
        Append(200);
        var env = StreamEnvironment.Create(new JobOptions
        {
            JobName = "metrics-e2e",
            Checkpoints = CheckpointOptions.InDirectory(Path.Combine(_directory, "checkpoints"), TimeSpan.FromMilliseconds(100)),
        });
        env.FromLog(_log, "in", MessageDeserializers.Utf8String(), new LogSourceOptions { ConsumerGroup = Group },
                WatermarkStrategy<string>.ForBoundedOutOfOrderness(TimeSpan.FromSeconds(1)))
            .Map(static s => s.ToUpperInvariant()).SetParallelism(2)
            .ToLog(_log, "out", MessageSerializers.Utf8String());
        _job = env.Start();

        // A short job whose first attempt fails: its restart shows on the page after it finished.
        var failed = 0;
        var restarting = StreamEnvironment.Create(new JobOptions { JobName = RestartingJob, Restart = RestartStrategy.FixedDelay(2, TimeSpan.Zero) });
        restarting.FromCollection([1, 2, 3]).Map(x => Interlocked.Exchange(ref failed, 1) == 0 ? throw new InvalidOperationException("first attempt") : x).Collect();
        _restarted = restarting.Start();
        (await _restarted.Completion).Restarts.ShouldBe(1);
    }

    private const string RestartingJob = "metrics-restarting";
    private JobClient _restarted = null!;

    public async Task DisposeAsync()
    {
        _job.Cancel();
        await Should.ThrowAsync<OperationCanceledException>(() => _job.Completion);
        LogConsumerLagInstruments.Untrack(_log);
        _log.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Metrics_LiveJob_PassesPromtoolAndCarriesEverySeries()
    {
        await CheckpointAsync(3);
        var first = await ScrapeAsync();
        Append(300);
        string page = first;
        await WaitForAsync(async () =>
        {
            page = await ScrapeAsync();
            return RecordsIn(page) > RecordsIn(first);
        }, "records_in to grow between two scrapes");

        var (exit, output) = await Promtool.RunAsync(["check", "metrics"], stdin: page);
        exit.ShouldBe(0, output);
        var families = Exposition.Families(page).Where(f => f.Key.StartsWith("sluice_", StringComparison.Ordinal)).ToList();
        families.ShouldAllBe(f => ExportedMetrics.Families.ContainsKey(f.Key) && ExportedMetrics.Families[f.Key] == f.Value, "every family is documented with its type");

        var samples = Exposition.Parse(page).Where(s => s.Labels.GetValueOrDefault("job_id") == _job.Id.ToString() || s.Labels.GetValueOrDefault("group") == Group).ToList();
        string[] expected =
        [
            "sluice_operator_records_in_total", "sluice_operator_records_out_total", "sluice_operator_watermark_seconds",
            "sluice_task_busy_time_seconds_total", "sluice_task_backpressured_time_seconds_total", "sluice_task_idle_time_seconds_total",
            "sluice_latency_event_to_commit_seconds_bucket", "sluice_latency_ingest_to_commit_seconds_count",
            "sluice_source_watermark_lag_seconds", "sluice_log_consumer_lag",
            "sluice_checkpoint_duration_seconds_bucket", "sluice_checkpoint_size_bytes_sum", "sluice_checkpoint_alignment_seconds_count",
            "sluice_checkpoint_last_completed_id",
        ];
        foreach (var name in expected)
        {
            samples.ShouldContain(s => s.Name == name, $"the page has no {name} series of the job: {page}");
        }
        samples.Where(s => s.Name == "sluice_source_watermark_lag_seconds").Select(s => s.Labels["split"]).Order(StringComparer.Ordinal)
            .ShouldBe(["log:in/0", "log:in/1"]);
        samples.Where(s => s.Name == "sluice_source_watermark_lag_seconds").ShouldAllBe(s => s.Value >= 0 && s.Value < 600);
        samples.Where(s => s.Name == "sluice_log_consumer_lag").ShouldAllBe(s => s.Value >= 0 && s.Value <= 500);
        samples.Where(s => s.Name == "sluice_log_consumer_lag").Select(s => s.Labels["topic"]).Distinct().ShouldBe(["in"]);
        samples.Where(s => s.Name == "sluice_task_busy_time_seconds_total").Count().ShouldBe(4, "one task per subtask: the source, two map subtasks, the sink (parallelism 1)");
        samples.Where(s => s.Name.StartsWith("sluice_task_", StringComparison.Ordinal)).ShouldAllBe(s => s.Value >= 0 && s.Value < 600);
        samples.Where(s => s.Name == "sluice_latency_event_to_commit_seconds_count").Sum(s => s.Value).ShouldBeGreaterThan(0);
        samples.ShouldContain(s => s.Name == "sluice_checkpoint_last_completed_id" && s.Value >= 3);
        samples.ShouldAllBe(s => s.Labels.GetValueOrDefault("job", "metrics-e2e") == "metrics-e2e");
        Exposition.Parse(page).ShouldContain(s => s.Name == "sluice_job_restarts_total" && s.Labels["job_id"] == _restarted.Id.ToString() && s.Value == 1,
            "the restarting job restarted once");
    }

    [Fact]
    public async Task Metrics_AnonymousFromLoopback_IsServedWithoutToken()
    {
        using var response = await _server.Anonymous.GetAsync("/metrics");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
    }

    [Fact]
    public async Task Metrics_PostWithoutToken_IsUnauthorized()
    {
        using var response = await _server.Anonymous.PostAsync("/metrics", new StringContent(""));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private long RecordsIn(string page) =>
        (long)Exposition.Parse(page).Where(s => s.Name == "sluice_operator_records_in_total" && s.Labels.GetValueOrDefault("job_id") == _job.Id.ToString())
            .Sum(s => s.Value);

    private async Task<string> ScrapeAsync()
    {
        using var response = await _server.Anonymous.GetAsync("/metrics");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    private void Append(int count)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var records = new ProducerRecord[count];
        for (var i = 0; i < count; i++)
        {
            records[i] = ProducerRecord.FromArrays(null, System.Text.Encoding.UTF8.GetBytes($"event-{i}"), now);
        }
        var topic = _log.GetTopic("in");
        topic.GetPartition(0).Append(records.AsSpan(0, count / 2));
        topic.GetPartition(1).Append(records.AsSpan(count / 2));
    }

    /// <summary>Waits (on the job's completion event) until checkpoint <paramref name="id"/> or a later one completed.</summary>
    private async Task CheckpointAsync(long id)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnCompleted(long completed)
        {
            if (completed >= id)
            {
                reached.TrySetResult();
            }
        }
        _job.CheckpointCompleted += OnCompleted;
        try
        {
            if (_job.LastCheckpointId < id)
            {
                await reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
        }
        finally
        {
            _job.CheckpointCompleted -= OnCompleted;
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, $"timed out waiting for {what}");
            await Task.Yield();
        }
    }
}
