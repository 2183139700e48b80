namespace Sluice.Cli.Tests;

/// <summary><c>sluice dags …</c> as a user runs it: a flaky task retries and succeeds, its attempts show in status; a bad folder runs nothing.</summary>
public sealed class DagsCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sluice-cli-dags-" + Guid.NewGuid().ToString("N"));
    private readonly string _dags;
    private readonly string _state;

    public DagsCommandTests()
    {
        _dags = Path.Combine(_root, "dags");
        _state = Path.Combine(_root, "state");
        Directory.CreateDirectory(_dags);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private CliProcess.Result Dags(params string[] args) =>
        CliProcess.Run(TimeSpan.FromSeconds(120), null, ["dags", .. args, "--dags-dir", _dags, "--state-dir", _state]);

    [Fact]
    public void Run_FlakyTask_RetriesThenSucceedsAndStatusShowsTheAttempts()
    {
        var counter = Path.Combine(_root, "count");
        File.WriteAllText(Path.Combine(_dags, "flaky.yml"), $"""
            dag_id: flaky
            schedule: "@daily"
            start_date: 2024-01-01
            tasks:
              - id: flaky
                kind: shell
                command: n=$(cat {counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {counter}; [ $n -ge 2 ]
                retries: 1
                retry_delay: 100ms
            """);

        var run = Dags("run", "flaky", "--logical-date", "2024-01-05");

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("FAILED manual__2024-01-05T00:00:00+00:00 flaky attempt 1: the command exited with code 1");
        run.Stdout.ShouldContain("SUCCESS manual__2024-01-05T00:00:00+00:00 flaky attempt 2");
        run.Stdout.ShouldContain("Run manual__2024-01-05T00:00:00+00:00: success.");

        var status = Dags("status", "flaky");

        status.ExitCode.ShouldBe(0, status.Stderr);
        status.Stdout.ShouldContain("success (2 attempts)");
        status.Stdout.ShouldContain("the command exited with code 1");
        status.Stdout.ShouldContain(Path.Combine("logs", "flaky", "2.log"));
    }

    [Fact]
    public void Run_WithLineageFile_WritesTheDagRunAndItsAttemptsAsChildRuns()
    {
        var warehouse = Path.Combine(_root, "w.duckdb");
        File.WriteAllText(Path.Combine(_dags, "daily.yml"), $$$"""
            dag_id: daily
            schedule: "@daily"
            start_date: 2024-01-01
            tasks:
              - id: wait
                kind: file_sensor
                path: {{{_root}}}/in-{{ ds }}.csv
              - id: load
                kind: sql
                duckdb: {{{warehouse}}}
                sql: create or replace table sales as select 1 as id
                depends_on: [wait]
            """);
        File.WriteAllText(Path.Combine(_root, "in-2024-01-05.csv"), "id\n1\n");
        var lineage = Path.Combine(_root, "lineage.jsonl");

        var run = Dags("run", "daily", "--logical-date", "2024-01-05", "--lineage", lineage);

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        var events = File.ReadAllLines(lineage).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        string Job(System.Text.Json.JsonElement e) => e.GetProperty("job").GetProperty("name").GetString()!;
        string RunId(System.Text.Json.JsonElement e) => e.GetProperty("run").GetProperty("runId").GetString()!;
        events.Select(e => Job(e) + " " + e.GetProperty("eventType").GetString()).ShouldBe([
            "daily START", "daily.wait START", "daily.wait COMPLETE", "daily.load START", "daily.load COMPLETE", "daily COMPLETE"]);
        events[0].GetProperty("job").GetProperty("facets").GetProperty("jobType").GetProperty("jobType").GetString().ShouldBe("DAG");
        events[0].GetProperty("run").GetProperty("facets").GetProperty("nominalTime").GetProperty("nominalStartTime").GetString().ShouldBe("2024-01-05T00:00:00+00:00");
        foreach (var attempt in events.Skip(1).SkipLast(1))
        {
            attempt.GetProperty("run").GetProperty("facets").GetProperty("parent").GetProperty("run").GetProperty("runId").GetString().ShouldBe(RunId(events[0]));
        }
        var input = events[1].GetProperty("inputs").EnumerateArray().ShouldHaveSingleItem();
        (input.GetProperty("namespace").GetString(), input.GetProperty("name").GetString()).ShouldBe(("file", Path.Combine(_root, "in-2024-01-05.csv")));
        var output = events[3].GetProperty("outputs").EnumerateArray().ShouldHaveSingleItem();
        (output.GetProperty("namespace").GetString(), output.GetProperty("name").GetString()).ShouldBe(("duckdb://" + warehouse, "main.sales"));
    }

    [Fact]
    public void Backfill_FailingTask_ExitsOneAndSkipsNothing()
    {
        File.WriteAllText(Path.Combine(_dags, "broken.yml"), "dag_id: broken\nschedule: \"@daily\"\nstart_date: 2024-01-01\ntasks:\n  - id: fail\n    kind: shell\n    command: exit 3\n");

        var result = Dags("backfill", "broken", "--start", "2024-01-01", "--end", "2024-01-02");

        result.ExitCode.ShouldBe(1);
        result.Stdout.ShouldContain("Backfill of broken: 2 run(s), 2 failed, 0 skipped.");
    }

    [Fact]
    public void List_DependsOnAMissingTask_OneErrorNamingFileLineAndTaskAndRunsNothing()
    {
        File.WriteAllText(Path.Combine(_dags, "bad.yml"), "dag_id: bad\nstart_date: 2024-01-01\ntasks:\n  - id: a\n    kind: shell\n    command: \"true\"\n    depends_on: [nope]\n");

        var result = Dags("run", "bad");

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("bad.yml:4: DAG 'bad', task 'a': depends_on names 'nope', which is not a task of the DAG.");
        Directory.Exists(_state).ShouldBeFalse();
    }

    [Fact]
    public void Run_StateDirectoryLockedByAServer_RefusesNamingItsPidAndRunsNothing()
    {
        var marker = Path.Combine(_root, "ran");
        File.WriteAllText(Path.Combine(_dags, "a.yml"), $"dag_id: a\nstart_date: 2024-01-01\ntasks:\n  - id: t\n    kind: shell\n    command: touch {marker}\n");
        Directory.CreateDirectory(_state);
        // What a live server holds: the lock file opened exclusively, its pid beside it.
        using (new FileStream(Path.Combine(_state, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            File.WriteAllText(Path.Combine(_state, ".lock.owner"), "pid 4242 on host ci since 2026-12-07T00:00:00Z\n");

            var result = Dags("run", "a", "--logical-date", "2024-01-05");

            result.ExitCode.ShouldBe(1);
            result.Stderr.ShouldContain("is in use by another scheduler (pid 4242 on host ci since 2026-12-07T00:00:00Z)");
            File.Exists(marker).ShouldBeFalse();
        }
    }

    [Fact]
    public void Run_TopicSensorOnAFreeEmbeddedLog_ReadsItAndSucceeds()
    {
        var data = Path.Combine(_root, "data");
        using (var log = Sluice.Log.PartitionedLog.Open(Path.Combine(data, "log")))
        {
            log.CreateTopic("orders").GetPartition(0).Append([Sluice.Log.ProducerRecord.FromArrays(null, [1], new DateTimeOffset(2024, 1, 6, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds())]);
        }
        File.WriteAllText(Path.Combine(_dags, "t.yml"), "dag_id: t\nschedule: \"@daily\"\nstart_date: 2024-01-01\ntasks:\n  - id: wait\n    kind: topic_sensor\n    topic: orders\n");

        var result = Dags("run", "t", "--logical-date", "2024-01-05", "--data-dir", data);

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        result.Stdout.ShouldContain("SUCCESS manual__2024-01-05T00:00:00+00:00 wait attempt 1");
    }

    [Fact]
    public void Run_TopicSensorOnAnEmbeddedLogHeldByAServer_FailsTellingToRunTheDagInTheServer()
    {
        var data = Path.Combine(_root, "data");
        File.WriteAllText(Path.Combine(_dags, "t.yml"), "dag_id: t\nstart_date: 2024-01-01\ntasks:\n  - id: wait\n    kind: topic_sensor\n    topic: orders\n    offset: 1\n");
        // What a live server holds: its open log (the directory lock is exclusive, also against readers).
        using var log = Sluice.Log.PartitionedLog.Open(Path.Combine(data, "log"));

        var result = Dags("run", "t", "--logical-date", "2024-01-05", "--data-dir", data);

        result.ExitCode.ShouldBe(1);
        result.Stdout.ShouldContain("FAILED manual__2024-01-05T00:00:00+00:00 wait attempt 1: The embedded log in '");
        result.Stdout.ShouldContain("is held by another process, so the embedded log topic 'orders' cannot be read from here (");
        result.Stdout.ShouldContain("): run this DAG in the server that owns the log");
    }
}
