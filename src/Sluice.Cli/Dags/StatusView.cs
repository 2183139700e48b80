using System.Globalization;
using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;
using Spectre.Console;

namespace Sluice.Cli.Dags;

/// <summary><c>sluice dags status</c>'s output: a grid of tasks × runs (oldest run left), then the newest run's attempts.</summary>
internal static class StatusView
{
    public static void Write(DagDefinition dag, RunStore store, IReadOnlyList<DagRun> runs)
    {
        var grid = new Table { Title = new TableTitle($"{Markup.Escape(dag.Id)}: last {runs.Count} run(s)") };
        grid.AddColumn("task");
        var tasks = runs.Select(r => store.ListTasks(dag.Id, r.LogicalDate).ToDictionary(t => t.TaskId, StringComparer.Ordinal)).ToList();
        foreach (var run in runs)
        {
            grid.AddColumn(new TableColumn(Markup.Escape(run.LogicalDate.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))));
        }
        grid.AddRow(["(run)", .. runs.Select(r => Markup.Escape(DagsCommand.Name(r.State)))]);
        foreach (var task in dag.Tasks)
        {
            grid.AddRow([Markup.Escape(task.Id), .. tasks.Select(t => t.TryGetValue(task.Id, out var instance)
                ? Markup.Escape($"{DagsCommand.Name(instance.State)}{(instance.Attempts.Count > 1 ? $" ({instance.Attempts.Count} attempts)" : "")}")
                : "-")]);
        }
        AnsiConsole.Write(grid);

        var newest = runs[^1];
        var attempts = new Table { Title = new TableTitle(Markup.Escape($"attempts of {newest.RunId} ({DagsCommand.Name(newest.State)})")) };
        attempts.AddColumns("task", "attempt", "state", "started", "ended", "exit", "error", "log");
        foreach (var instance in tasks[^1].Values.OrderBy(t => t.TaskId, StringComparer.Ordinal))
        {
            foreach (var attempt in instance.Attempts)
            {
                attempts.AddRow(
                    Markup.Escape(instance.TaskId),
                    attempt.Number.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(DagsCommand.Name(attempt.State)),
                    attempt.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    attempt.EndedAt?.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture) ?? "-",
                    attempt.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    Markup.Escape(attempt.Error ?? ""),
                    Markup.Escape(store.FullPath(attempt.LogFile)));
            }
        }
        AnsiConsole.Write(attempts);
    }
}
