using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration.Tests;

/// <summary>Loading the streaming task kinds (topic_sensor, sql_job, job_savepoint) from YAML, and their load-time errors.</summary>
public sealed class StreamingTaskDefinitionTests
{
    private static DagDefinition Load(string tasks) => DagFileLoader.Parse($"""
        dag_id: d
        schedule: "@daily"
        start_date: 2024-01-01
        tasks:
        {tasks}
        """, "dags/d.yml", "/base");

    [Fact]
    public void Parse_TopicSensorWithOffset_ReadsEveryField()
    {
        var dag = Load("""
              - id: wait
                kind: topic_sensor
                topic: orders
                partition: 2
                offset: 1000
                bootstrap_servers: 127.0.0.1:9092
                poke_interval: 10s
            """);

        var sensor = dag.GetTask("wait").Action.ShouldBeOfType<TopicSensorAction>();
        sensor.Topic.ShouldBe("orders");
        sensor.Partition.ShouldBe(2);
        sensor.Offset.ShouldBe(1000);
        sensor.BootstrapServers.ShouldBe("127.0.0.1:9092");
        sensor.PokeInterval.ShouldBe(TimeSpan.FromSeconds(10));
        sensor.EffectiveEventTime.ShouldBeNull();
    }

    [Fact]
    public void Parse_TopicSensorWithoutOffsetOrEventTime_WaitsForTheIntervalEnd()
    {
        var sensor = Load("""
              - id: wait
                kind: topic_sensor
                topic: orders
            """).GetTask("wait").Action.ShouldBeOfType<TopicSensorAction>();

        sensor.Partition.ShouldBeNull();
        sensor.BootstrapServers.ShouldBeNull();
        sensor.EffectiveEventTime.ShouldBe("{{ data_interval_end }}");
    }

    [Fact]
    public void Parse_TopicSensorWithOffsetAndEventTime_FailsNamingFileDagAndTask()
    {
        var error = Should.Throw<DagDefinitionException>(() => Load("""
              - id: wait
                kind: topic_sensor
                topic: orders
                offset: 5
                event_time: "{{ data_interval_end }}"
            """));

        error.Message.ShouldBe("dags/d.yml:5: DAG 'd', task 'wait': give either 'offset' or 'event_time', not both.");
    }

    [Fact]
    public void Parse_TopicSensorWithoutTopic_FailsNamingFileDagAndTask()
    {
        var error = Should.Throw<DagDefinitionException>(() => Load("""
              - id: wait
                kind: topic_sensor
                offset: 5
            """));

        error.Message.ShouldBe("dags/d.yml:5: DAG 'd', task 'wait': the field 'topic' is required.");
    }

    [Fact]
    public void Parse_TopicSensorWithBadEventTimeTemplate_FailsAtLoad()
    {
        var error = Should.Throw<DagDefinitionException>(() => Load("""
              - id: wait
                kind: topic_sensor
                topic: orders
                event_time: "{{ nope }}"
            """));

        error.Message.ShouldStartWith("dags/d.yml:5: DAG 'd', task 'wait', field 'event_time': bad template");
    }

    [Fact]
    public void Parse_SqlJobAndSavepoint_ReadEveryField()
    {
        var dag = Load("""
              - id: backfill
                kind: sql_job
                sql: INSERT INTO out SELECT * FROM src WHERE ts >= TIMESTAMP '{{ data_interval_start }}'
              - id: save
                kind: job_savepoint
                job: enrich
                server_url: http://127.0.0.1:8081
                token_env: MY_TOKEN
            """);

        dag.GetTask("backfill").Action.ShouldBeOfType<SqlJobAction>().Sql.ShouldStartWith("INSERT INTO out");
        var save = dag.GetTask("save").Action.ShouldBeOfType<JobSavepointAction>();
        save.Job.ShouldBe("enrich");
        save.ServerUrl.ShouldBe("http://127.0.0.1:8081");
        save.TokenVariable.ShouldBe("MY_TOKEN");
    }

    [Fact]
    public void Parse_SavepointWithoutJob_FailsNamingFileDagAndTask()
    {
        var error = Should.Throw<DagDefinitionException>(() => Load("""
              - id: save
                kind: job_savepoint
            """));

        error.Message.ShouldBe("dags/d.yml:5: DAG 'd', task 'save': the field 'job' is required.");
    }

    [Fact]
    public void Parse_SqlJobWithoutSql_FailsNamingFileDagAndTask()
    {
        var error = Should.Throw<DagDefinitionException>(() => Load("""
              - id: backfill
                kind: sql_job
            """));

        error.Message.ShouldBe("dags/d.yml:5: DAG 'd', task 'backfill': the field 'sql' is required.");
    }

    [Fact]
    public async Task TopicSensor_NoProbeInTheHost_FailsTheAttemptAtOnce()
    {
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var f = new SchedulerFixture(start);
        var dag = new DagBuilder("t").Task("wait", new TopicSensorAction("orders") { Offset = 1 }, t => t.Timeout(TimeSpan.FromHours(1))).Build();
        await using var scheduler = f.Scheduler(dag);
        await scheduler.TriggerAsync("t", start);
        await scheduler.RunUntilIdleAsync();

        var task = f.Store.ListTasks("t", start).Single();
        task.State.ShouldBe(TaskState.Failed);
        task.Attempts.Single().Error.ShouldBe("this scheduler has no topic probe: run the DAG with 'sluice server --dags-dir' or 'sluice dags run'.");
    }
}
