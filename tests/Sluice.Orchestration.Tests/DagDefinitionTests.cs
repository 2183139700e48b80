using Sluice.Orchestration.Definitions;

namespace Sluice.Orchestration.Tests;

public sealed class DagDefinitionTests
{
    private const string Daily = """
        dag_id: daily_orders
        schedule: "0 2 * * *"
        timezone: Europe/Amsterdam
        start_date: 2024-01-01
        catchup: true
        max_active_runs: 2
        sla: 1h
        params:
          region: eu
        default_args:
          retries: 2
          retry_delay: 30s
        tasks:
          - id: extract
            kind: shell
            command: echo {{ ds }} {{ params.region }}
          - id: load
            kind: sql
            duckdb: warehouse.duckdb
            sql: insert into t select '{{ data_interval_start }}'
            depends_on: [extract]
            retries: 5
            timeout: 10m
          - id: wait
            kind: file_sensor
            path: /tmp/in/{{ ds_nodash }}.csv
            poke_interval: 1m
        """;

    [Fact]
    public void Parse_FullDag_ReadsEveryField()
    {
        var dag = DagFileLoader.Parse(Daily, "dags/daily.yml", "/base");

        dag.Id.ShouldBe("daily_orders");
        dag.Schedule.Expression.ShouldBe("0 2 * * *");
        dag.Schedule.TimeZone.Id.ShouldBe("Europe/Amsterdam");
        dag.StartDate.ShouldBe(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(1)));
        dag.CatchUp.ShouldBeTrue();
        dag.MaxActiveRuns.ShouldBe(2);
        dag.Sla.ShouldBe(TimeSpan.FromHours(1));
        dag.Tasks.Select(t => t.Id).ShouldBe(["extract", "load", "wait"]);
        dag.Tasks[0].Controls.Retries.ShouldBe(2);
        dag.Tasks[0].Controls.RetryDelay.ShouldBe(TimeSpan.FromSeconds(30));
        dag.Tasks[1].Controls.Retries.ShouldBe(5);
        dag.Tasks[1].Controls.Timeout.ShouldBe(TimeSpan.FromMinutes(10));
        dag.Tasks[1].DependsOn.ShouldBe(["extract"]);
        dag.Tasks[1].Line.ShouldBe(17);
        ((SqlAction)dag.Tasks[1].Action).Target.DuckDbPath.ShouldBe("/base/warehouse.duckdb");
        ((FileSensorAction)dag.Tasks[2].Action).PokeInterval.ShouldBe(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void Builder_SameDag_EqualsTheYamlDefinition()
    {
        var yaml = DagFileLoader.Parse(Daily, "dags/daily.yml", "/base");
        var controls = TaskControls.Default with { Retries = 2, RetryDelay = TimeSpan.FromSeconds(30) };
        var built = new DagBuilder("daily_orders")
            .Schedule("0 2 * * *", "Europe/Amsterdam")
            .StartDate(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(1)))
            .CatchUp(true).MaxActiveRuns(2).Sla(TimeSpan.FromHours(1)).Param("region", "eu")
            .Task("extract", new ShellAction("echo {{ ds }} {{ params.region }}") { WorkingDirectory = "/base" }, t => t.Controls(controls))
            .Task("load", new SqlAction(new SqlConnectionTarget("/base/warehouse.duckdb", null), "insert into t select '{{ data_interval_start }}'"),
                t => t.DependsOn("extract").Controls(controls with { Retries = 5, Timeout = TimeSpan.FromMinutes(10) }))
            .Task("wait", new FileSensorAction("/tmp/in/{{ ds_nodash }}.csv") { PokeInterval = TimeSpan.FromMinutes(1) }, t => t.Controls(controls))
            .Build();

        built.Tasks.Count.ShouldBe(yaml.Tasks.Count);
        for (var i = 0; i < built.Tasks.Count; i++)
        {
            (built.Tasks[i] with { Line = 0 }).Action.ShouldBeEquivalentTo(yaml.Tasks[i].Action);
            built.Tasks[i].Controls.ShouldBe(yaml.Tasks[i].Controls);
            built.Tasks[i].DependsOn.ShouldBe(yaml.Tasks[i].DependsOn);
        }
        (built.Id, built.StartDate, built.CatchUp, built.MaxActiveRuns, built.Sla, built.Schedule.ToString())
            .ShouldBe((yaml.Id, yaml.StartDate, yaml.CatchUp, yaml.MaxActiveRuns, yaml.Sla, yaml.Schedule.ToString()));
    }

    [Theory]
    [InlineData("command: echo b", "depends_on: [extrct]", "dags/bad.yml:8: DAG 'bad', task 'load': depends_on names 'extrct', which is not a task of the DAG.")]
    [InlineData("command: echo b", "depends_on: [load]", "dags/bad.yml:8: DAG 'bad', task 'load': the dependencies form a cycle (load -> load).")]
    [InlineData("command: echo {{ ds ", "depends_on: []", "dags/bad.yml:8: DAG 'bad', task 'load', field 'command': bad template at line 1")]
    [InlineData("command: echo {{ nope }}", "depends_on: []", "dags/bad.yml:8: DAG 'bad', task 'load', field 'command': bad template at line 1")]
    public void Parse_BadTask_OneErrorNamingFileLineDagAndTask(string first, string second, string expected)
    {
        var yaml = $"""
            dag_id: bad
            schedule: "@daily"
            start_date: 2024-01-01
            tasks:
              - id: extract
                kind: shell
                command: echo a
              - id: load
                kind: shell
                {first}
                {second}
            """;

        var error = Should.Throw<DagDefinitionException>(() => DagFileLoader.Parse(yaml, "dags/bad.yml", "/"));

        error.Message.ShouldStartWith(expected);
    }

    [Fact]
    public void Parse_CycleOverTwoTasks_NamesTheCycle()
    {
        const string yaml = """
            dag_id: loop
            start_date: 2024-01-01
            tasks:
              - id: a
                kind: shell
                command: "true"
                depends_on: [b]
              - id: b
                kind: shell
                command: "true"
                depends_on: [a]
            """;

        var error = Should.Throw<DagDefinitionException>(() => DagFileLoader.Parse(yaml, "dags/loop.yml", "/"));

        error.Message.ShouldBe("dags/loop.yml:4: DAG 'loop', task 'a': the dependencies form a cycle (a -> b -> a).");
    }

    [Theory]
    [InlineData("schedule: \"0 25 * * *\"", "dags/s.yml:2: DAG 's': cron '0 25 * * *' does not parse")]
    [InlineData("schedule: \"@daily\"\ntimezone: Mars/Olympus", "dags/s.yml:3: DAG 's': time zone 'Mars/Olympus' is not a known IANA time zone")]
    public void Parse_BadScheduleOrZone_NamesFileLineAndDag(string schedule, string expected)
    {
        var yaml = $"dag_id: s\n{schedule}\nstart_date: 2024-01-01\ntasks:\n  - id: a\n    kind: shell\n    command: \"true\"\n";

        var error = Should.Throw<DagDefinitionException>(() => DagFileLoader.Parse(yaml, "dags/s.yml", "/"));

        error.Message.ShouldStartWith(expected);
    }

    [Theory]
    [InlineData("sla: 1h\nsla_webhook: \"not a url\"", "dags/v.yml:5: DAG 'v': sla_webhook must be an absolute http:// or https:// URL.")]
    [InlineData("sla: 1h\nsla_webhook: ftp://host/T0K3N", "dags/v.yml:5: DAG 'v': sla_webhook must be an absolute http:// or https:// URL.")]
    [InlineData("sla: 99999999d", "dags/v.yml:4: the field 'sla' must be at most 365 days.")]
    [InlineData("sla: 1e300", "dags/v.yml:4: the field 'sla' must be at most 365 days.")]
    [InlineData("default_args:\n  timeout: 50d", "dags/v.yml:5: the field 'timeout' must be at most 49 days.")]
    [InlineData("default_args:\n  retry_delay: 1e300s", "dags/v.yml:5: the field 'retry_delay' must be at most 365 days.")]
    [InlineData("default_args:\n  max_retry_delay: 400d", "dags/v.yml:5: the field 'max_retry_delay' must be at most 365 days.")]
    [InlineData("default_args:\n  retry_backoff: NaN", "dags/v.yml:5: the field 'retry_backoff' must be a number.")]
    [InlineData("default_args:\n  retries: 4294967297", "dags/v.yml:5: the field 'retries' must be a whole number between -2147483648 and 2147483647.")]
    [InlineData("max_active_runs: -4294967297", "dags/v.yml:4: the field 'max_active_runs' must be a whole number between -2147483648 and 2147483647.")]
    [InlineData("max_active_runs: 4294967297", "dags/v.yml:4: the field 'max_active_runs' must be a whole number between -2147483648 and 2147483647.")]
    public void Parse_OutOfRangeValue_OneErrorNamingFileAndLine(string fields, string expected)
    {
        var yaml = $"dag_id: v\nschedule: \"@daily\"\nstart_date: 2024-01-01\n{fields}\ntasks:\n  - id: a\n    kind: shell\n    command: \"true\"\n";

        var error = Should.Throw<DagDefinitionException>(() => DagFileLoader.Parse(yaml, "dags/v.yml", "/"));

        error.Message.ShouldBe(expected);
        error.Message.ShouldNotContain("T0K3N");
    }

    [Fact]
    public void Parse_SlaWebhookWithoutSla_LoadsWithTheWebhookUnused()
    {
        const string yaml = "dag_id: w\nschedule: \"@daily\"\nstart_date: 2024-01-01\nsla_webhook: https://hooks.example/T0K3N\ntasks:\n  - id: a\n    kind: shell\n    command: \"true\"\n";

        var dag = DagFileLoader.Parse(yaml, "dags/w.yml", "/");

        dag.Sla.ShouldBeNull();
        dag.SlaWebhook.ShouldBe(new Uri("https://hooks.example/T0K3N"));
    }

    [Theory]
    [InlineData(".inf")]
    [InlineData("+.inf")]
    [InlineData("Infinity")]
    public void Parse_InfiniteRetryBackoff_FirstRetryWaitsTheDelayEveryLaterOneTheMax(string backoff)
    {
        var yaml = $"dag_id: b\nstart_date: 2024-01-01\ndefault_args:\n  retries: 3\n  retry_delay: 10s\n  max_retry_delay: 1h\n  retry_backoff: {backoff}\ntasks:\n  - id: a\n    kind: shell\n    command: \"true\"\n";

        var controls = DagFileLoader.Parse(yaml, "dags/b.yml", "/").Tasks.Single().Controls;

        controls.BackoffFactor.ShouldBe(double.PositiveInfinity);
        controls.DelayBeforeRetry(1).ShouldBe(TimeSpan.FromSeconds(10));
        controls.DelayBeforeRetry(2).ShouldBe(TimeSpan.FromHours(1));
        controls.DelayBeforeRetry(3).ShouldBe(TimeSpan.FromHours(1));
    }

    [Fact]
    public void DelayBeforeRetry_NoDelayAndInfiniteBackoff_StaysZero() =>
        (TaskControls.Default with { RetryDelay = TimeSpan.Zero, BackoffFactor = double.PositiveInfinity }).DelayBeforeRetry(3).ShouldBe(TimeSpan.Zero);

    [Fact]
    public void Parse_SensorPokeIntervalTooLong_NamesItsLine()
    {
        const string yaml = "dag_id: p\nstart_date: 2024-01-01\ntasks:\n  - id: wait\n    kind: file_sensor\n    path: /x\n    poke_interval: 9999999999d\n";

        var error = Should.Throw<DagDefinitionException>(() => DagFileLoader.Parse(yaml, "dags/p.yml", "/"));

        error.Message.ShouldBe("dags/p.yml:7: the field 'poke_interval' must be at most 365 days.");
    }

    [Fact]
    public void Build_TimeoutLongerThanATimerRuns_RefusedNamingDagAndTask()
    {
        var error = Should.Throw<DagDefinitionException>(() =>
            new DagBuilder("c").Task("t", new ShellAction("true"), t => t.Timeout(TimeSpan.FromDays(60))).Build());

        error.Message.ShouldStartWith("(code):1: DAG 'c', task 't': retries must be ≥ 0, retry_backoff a number ≥ 1, delays between 0 and 365 days and timeout above 0 and at most 49 days.");
    }

    [Fact]
    public void Build_RelativeWebhook_Refused() =>
        Should.Throw<DagDefinitionException>(() => new DagBuilder("w").Sla(TimeSpan.FromHours(1), new Uri("/hook", UriKind.Relative)).Task("t", new ShellAction("true")).Build())
            .Message.ShouldBe("(code):1: DAG 'w': the SLA webhook must be an absolute http:// or https:// URL.");

    [Fact]
    public void Parse_UnknownKind_ListsTheKinds()
    {
        const string yaml = "dag_id: k\nstart_date: 2024-01-01\ntasks:\n  - id: a\n    kind: spark\n";

        var error = Should.Throw<DagDefinitionException>(() => DagFileLoader.Parse(yaml, "dags/k.yml", "/"));

        error.Message.ShouldBe("dags/k.yml:5: DAG 'k', task 'a': unknown kind 'spark'; use shell, sql, http, models, sql_job, job_savepoint, file_sensor, table_fresh_sensor, topic_sensor or upstream_dag_sensor.");
    }

    [Fact]
    public void LoadDirectory_DuplicateIds_NamesBothFiles()
    {
        using var dir = new TestDirectory();
        const string yaml = "dag_id: same\nstart_date: 2024-01-01\ntasks:\n  - id: a\n    kind: shell\n    command: \"true\"\n";
        File.WriteAllText(dir.File("a.yml"), yaml);
        File.WriteAllText(dir.File("b.yml"), yaml);

        var error = Should.Throw<DagDefinitionException>(() => DagFileLoader.LoadDirectory(dir.Path));

        error.Message.ShouldContain("DAG id 'same' is also defined in");
        error.Message.ShouldContain("a.yml");
        error.Message.ShouldContain("b.yml");
    }

    [Fact]
    public void Templates_RenderTheDataInterval()
    {
        var dag = new DagBuilder("t").Schedule("@daily").StartDate(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)).Param("x", "7")
            .Task("a", new ShellAction("true")).Build();
        var interval = new DataInterval(new DateTimeOffset(2024, 3, 5, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 3, 6, 0, 0, 0, TimeSpan.Zero));
        var variables = TaskTemplates.Variables(dag, "a", "manual__x", interval, 2);

        TaskTemplates.Render("f", "{{ ds }}|{{ ds_nodash }}|{{ data_interval_start }}|{{ data_interval_end }}|{{ logical_date }}|{{ run_id }}|{{ params.x }}|{{ try_number }}", variables)
            .ShouldBe("2024-03-05|20240305|2024-03-05T00:00:00+00:00|2024-03-06T00:00:00+00:00|2024-03-05T00:00:00+00:00|manual__x|7|2");
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("daily\n")]
    [InlineData("a/b")]
    public void Build_IdNamingNoOrAnotherFolder_Refused(string id)
    {
        var error = Should.Throw<DagDefinitionException>(() => new DagBuilder(id).Task("t", new ShellAction("true")).Build());

        error.Message.ShouldBe($"(code):1: DAG id '{id}' may hold only letters, digits, '_', '-' and '.' (not only dots).");
    }

    [Fact]
    public void Build_IdWithDots_Accepted() =>
        new DagBuilder("v1.2").Task("t", new ShellAction("true")).Build().Id.ShouldBe("v1.2");

    [Fact]
    public void SqlConnectionTarget_ToString_NeverPrintsTheConnectionString()
    {
        var target = new SqlConnectionTarget(null, "Host=db;Username=etl;Password=hunter2");

        target.ToString().ShouldBe("SqlConnectionTarget { DuckDbPath = , PostgresConnectionString = *** }");
        new SqlAction(target, "select 1").ToString().ShouldNotContain("hunter2");
    }
}
