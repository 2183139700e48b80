using System.CommandLine;
using System.Globalization;
using Sluice.Cli.Connectors;
using Sluice.Orchestration;
using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;
using Sluice.Server.Dags;
using Sluice.Sql.Session;
using Spectre.Console;

namespace Sluice.Cli.Dags;

/// <summary>
/// <c>sluice dags list|run|backfill|status</c>: DAGs of a folder (<see cref="DagFileLoader"/>) run by a
/// <see cref="DagScheduler"/> on a state directory (docs/orchestration.md). A folder that does not load prints its one
/// error (file, line, DAG, task) and runs nothing. <c>run</c> and <c>backfill</c> exit 1 when a run fails.
/// </summary>
internal static class DagsCommand
{
    public static Command Create()
    {
        var dagsDir = new Option<string>("--dags-dir") { Description = "The folder of DAG files (*.yml).", DefaultValueFactory = _ => "dags", Recursive = true };
        var stateDir = new Option<string>("--state-dir") { Description = "The run history (runs, attempts, logs); the server's is <data dir>/orchestration.", DefaultValueFactory = _ => Path.Combine("sluice-data", "orchestration"), Recursive = true };
        var dataDir = new Option<string>("--data-dir") { Description = "The data directory whose embedded log (log/) topic sensors read; it must not be held by a server (run such DAGs in the server).", DefaultValueFactory = _ => "sluice-data", Recursive = true };
        var dags = new Command("dags", "DAG orchestration (Airflow's role): list, run, backfill and inspect DAGs of models, SQL, shell, HTTP, streaming-job tasks and sensors.") { dagsDir, stateDir, dataDir };

        var list = new Command("list", "List the DAGs with their schedules and latest run.");
        list.SetAction(parse =>
        {
            var definitions = Load(parse.GetValue(dagsDir)!);
            var store = OpenStore(parse.GetValue(stateDir)!, create: false);
            var table = new Table().AddColumns("DAG", "schedule", "tasks", "catch-up", "latest run", "state");
            foreach (var dag in definitions)
            {
                var latest = store?.ListRuns(dag.Id).LastOrDefault();
                table.AddRow(Markup.Escape(dag.Id), Markup.Escape(dag.Schedule.ToString()), dag.Tasks.Count.ToString(CultureInfo.InvariantCulture),
                    dag.CatchUp ? "on" : "off", Markup.Escape(latest?.RunId ?? "-"), latest is null ? "-" : Name(latest.State));
            }
            AnsiConsole.Write(table);
            return 0;
        });
        dags.Subcommands.Add(list);

        var dagArgument = new Argument<string>("dag") { Description = "The DAG's id." };
        var logicalDate = new Option<string?>("--logical-date") { Description = "The run's logical date (ISO 8601, e.g. 2024-01-01 or 2024-01-01T02:00:00Z; default: now)." };
        var lineage = LineageOption.Create();
        var run = new Command("run", "Trigger one run of a DAG and wait for it, printing each attempt.") { dagArgument, logicalDate, lineage };
        run.SetAction(async (parse, cancellationToken) =>
        {
            // Declared before the scheduler, so disposed after it: the scheduler's last events (ABORT on Ctrl+C) are delivered.
            await using var emitter = LineageOption.Emitter(parse, lineage);
            var (scheduler, dag) = Open(parse.GetValue(dagsDir)!, parse.GetValue(stateDir)!, parse.GetValue(dataDir)!, parse.GetValue(dagArgument)!, parse, emitter);
            await using (scheduler.ConfigureAwait(false))
            {
                var at = parse.GetValue(logicalDate) is { } text ? ParseDate(text, "--logical-date", dag) : DateTimeOffset.UtcNow;
                var (triggered, created) = await scheduler.TriggerAsync(dag.Id, at, DagRunKind.Manual, cancellationToken).ConfigureAwait(false);
                Console.WriteLine(created ? $"Triggered {dag.Id} {triggered.RunId}." : $"{dag.Id} already has run {triggered.RunId} for that logical date ({Name(triggered.State)}); waiting for it.");
                var finished = await scheduler.WaitForRunAsync(dag.Id, triggered.LogicalDate, cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"Run {finished.RunId}: {Name(finished.State)}.");
                return finished.State == DagRunState.Success ? 0 : 1;
            }
        });
        dags.Subcommands.Add(run);

        var start = new Option<string>("--start") { Description = "The first logical date (inclusive), e.g. 2024-01-01.", Required = true };
        var end = new Option<string>("--end") { Description = "The last logical date (inclusive).", Required = true };
        var rerunFailed = new Option<bool>("--rerun-failed") { Description = "Run the failed tasks of intervals whose run failed again (default: skip them)." };
        var backfill = new Command("backfill", "Run a DAG once per schedule interval in a date range, oldest first.") { dagArgument, start, end, rerunFailed, lineage };
        backfill.SetAction(async (parse, cancellationToken) =>
        {
            await using var emitter = LineageOption.Emitter(parse, lineage);
            var (scheduler, dag) = Open(parse.GetValue(dagsDir)!, parse.GetValue(stateDir)!, parse.GetValue(dataDir)!, parse.GetValue(dagArgument)!, parse, emitter);
            await using (scheduler.ConfigureAwait(false))
            {
                var from = ParseDate(parse.GetValue(start)!, "--start", dag);
                var to = ParseDate(parse.GetValue(end)!, "--end", dag);
                if (to < from)
                {
                    throw new CommandFailedException($"--end {parse.GetValue(end)} is before --start {parse.GetValue(start)}: swap them.");
                }
                var report = await scheduler.BackfillAsync(dag.Id, from, to, parse.GetValue(rerunFailed), cancellationToken).ConfigureAwait(false);
                foreach (var (date, reason) in report.Skipped)
                {
                    Console.WriteLine($"Skipped {date.UtcDateTime:yyyy-MM-dd HH:mm}: {reason}.");
                }
                foreach (var finished in report.Runs)
                {
                    Console.WriteLine($"{finished.RunId}: {Name(finished.State)}");
                }
                var failed = report.Runs.Count(r => r.State != DagRunState.Success);
                Console.WriteLine($"Backfill of {dag.Id}: {report.Runs.Count} run(s), {failed} failed, {report.Skipped.Count} skipped.");
                return failed == 0 ? 0 : 1;
            }
        });
        dags.Subcommands.Add(backfill);

        var runs = new Option<int>("--runs") { Description = "How many recent runs to show.", DefaultValueFactory = _ => 10 }.MustBeBetween(1, 1000);
        var status = new Command("status", "Show a DAG's recent runs as a grid (tasks × runs) and the attempts of the newest run.") { dagArgument, runs };
        status.SetAction(parse =>
        {
            var definitions = Load(parse.GetValue(dagsDir)!);
            var id = parse.GetValue(dagArgument)!;
            var dag = definitions.FirstOrDefault(d => d.Id == id) ?? throw UnknownDag(id, definitions);
            var store = OpenStore(parse.GetValue(stateDir)!, create: false);
            var recent = store?.ListRuns(dag.Id).TakeLast(parse.GetValue(runs)).ToList() ?? [];
            if (recent.Count == 0)
            {
                Console.WriteLine($"{dag.Id} has no runs yet.");
                return 0;
            }
            StatusView.Write(dag, store!, recent);
            return 0;
        });
        dags.Subcommands.Add(status);
        return dags;
    }

    internal static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    private static (DagScheduler Scheduler, DagDefinition Dag) Open(string dagsDir, string stateDir, string dataDir, string id, ParseResult parse, Sluice.Lineage.ILineageEmitter lineage)
    {
        var definitions = Load(dagsDir);
        var dag = definitions.FirstOrDefault(d => d.Id == id) ?? throw UnknownDag(id, definitions);
        var store = OpenStore(stateDir, create: true)!;
        // Only the DAG asked about: `dags run A` must not step (or recover) other DAGs' runs.
        DagScheduler scheduler;
        try
        {
            scheduler = new DagScheduler([dag], store, new DagSchedulerOptions
            {
                CreateScheduledRuns = false,
                LoggerFactory = CommandLineHost.LoggerFactory(parse),
                Listeners = [new AttemptPrinter()],
                // The embedded log is read only while no server holds it (its lock is exclusive); Kafka always.
                TopicProbe = new TopicProbeRouter(LogTopicProbe.OnDirectory(Path.Combine(dataDir, "log")), new KafkaTopicProbe()),
                SqlJobRunner = new SessionSqlJobRunner(() => SqlSession.Create(new SqlSessionOptions { Connectors = ConnectorsCommand.Registry() })),
                Lineage = lineage is Sluice.Lineage.NoLineageEmitter ? null : lineage,
            });
        }
        catch (InvalidOperationException e)
        {
            throw new CommandFailedException(e.Message, e);
        }
        return (scheduler, dag);
    }

    private static IReadOnlyList<DagDefinition> Load(string dagsDir)
    {
        try
        {
            return DagFileLoader.LoadDirectory(dagsDir);
        }
        catch (DagDefinitionException e)
        {
            throw new CommandFailedException(e.Message, e);
        }
    }

    private static RunStore? OpenStore(string stateDir, bool create) =>
        create ? new RunStore(DataDirectories.CreateWritable(stateDir, "DAG state directory"))
            : Directory.Exists(stateDir) ? new RunStore(DataDirectories.RequireExisting(stateDir, "DAG state directory")) : null;

    private static CommandFailedException UnknownDag(string id, IReadOnlyList<DagDefinition> definitions) =>
        new($"There is no DAG '{id}' in the DAGs folder (found: {(definitions.Count == 0 ? "none" : string.Join(", ", definitions.Select(d => d.Id)))}).");

    private static DateTimeOffset ParseDate(string text, string option, DagDefinition dag) =>
        dag.TryParseLogicalDate(text, out var date)
            ? date
            : throw new CommandFailedException($"{option} '{text}' is not a date: write e.g. 2024-01-01 or 2024-01-01T02:00:00Z.");

    /// <summary>One line per attempt start and end (listener calls come one at a time).</summary>
    private sealed class AttemptPrinter : IDagRunListener
    {
        public void OnTaskAttemptStarted(DagRun run, TaskInstance task, TaskAttempt attempt) =>
            Console.WriteLine($"{DateTime.Now:HH:mm:ss}  START {run.RunId} {task.TaskId} attempt {attempt.Number}");

        public void OnTaskAttemptFinished(DagRun run, TaskInstance task, TaskAttempt attempt) =>
            Console.WriteLine($"{DateTime.Now:HH:mm:ss}  {Name(attempt.State).ToUpperInvariant()} {run.RunId} {task.TaskId} attempt {attempt.Number}" +
                $"{(attempt.Error is null ? "" : $": {attempt.Error}")}{(task.State == TaskState.UpForRetry ? $" (retry at {task.NextAttemptAt:HH:mm:ss})" : "")}");
    }
}
