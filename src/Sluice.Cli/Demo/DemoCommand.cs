using System.CommandLine;
using Sluice.Examples;
using Spectre.Console;

namespace Sluice.Cli.Demo;

/// <summary><c>sluice demo</c>: runs the end-to-end click-stream example job and prints what it computed.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var events = new Option<int>("--events") { Description = "Number of click events to generate (bounded run).", DefaultValueFactory = _ => 200_000 };
        var seed = new Option<int>("--seed") { Description = "Generator seed: the same seed and count give the same results.", DefaultValueFactory = _ => 42 };
        var parallelism = new Option<int>("--parallelism") { Description = "Subtasks per operator.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("demo", "Run the click-stream example end to end: generate clicks, dedup, per-page minute counts, 15-minute sessions.")
        {
            events, seed, parallelism,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var n = parse.GetValue(events);
            if (n < 1)
            {
                AnsiConsole.MarkupLine("[red]--events must be at least 1.[/]");
                return 2;
            }
            var p = Math.Clamp(parse.GetValue(parallelism), 1, KeyGroups.DefaultCount);
            AnsiConsole.MarkupLine($"[bold]Sluice demo[/]: {n:N0} click events, seed {parse.GetValue(seed)}, parallelism {p}");
            var run = await ExampleJobs.RunClickstreamAsync(n, parse.GetValue(seed), p, cancellationToken);
            Print(run);
            return 0;
        });
        return command;
    }

    private static void Print(ExampleRun run)
    {
        var seconds = run.Result.Duration.TotalSeconds;
        var summary = new Table().Border(TableBorder.Rounded).AddColumns("stage", "records");
        summary.AddRow("events in", $"{run.Events:N0}");
        summary.AddRow("duplicates removed (by event_id)", $"{run.Duplicates:N0}");
        summary.AddRow("unique events", $"{run.Unique:N0}");
        summary.AddRow("page/minute counts", $"{run.PageCounts.Count:N0}");
        summary.AddRow("user sessions (15 min gap)", $"{run.Sessions.Count:N0}");
        summary.AddRow("late records", $"{run.Result.LateRecords:N0}");
        AnsiConsole.Write(summary);

        var pages = new Table().Border(TableBorder.Rounded).Title("top pages by views").AddColumns("page", "views", "busiest minute (UTC)", "views then");
        foreach (var page in run.PageCounts.GroupBy(p => p.Page).OrderByDescending(g => g.Sum(p => p.Views)).Take(5))
        {
            var busiest = page.MaxBy(p => p.Views)!;
            pages.AddRow(page.Key, $"{page.Sum(p => p.Views):N0}", EventTime.Format(busiest.WindowStart), $"{busiest.Views:N0}");
        }
        AnsiConsole.Write(pages);

        var longest = run.Sessions.MaxBy(s => s.Events);
        if (longest is not null)
        {
            AnsiConsole.MarkupLine($"Longest session: user [bold]{longest.UserId}[/], {longest.Events} events, {EventTime.Format(longest.Start)} → {EventTime.Format(longest.End)}");
        }
        AnsiConsole.MarkupLine($"Done in {seconds:F2} s ({run.Events / Math.Max(seconds, 1e-9):N0} events/s). Try [bold]sluice demo --events 2000000[/] or read docs/concepts.md.");
    }
}
