using System.CommandLine;
using System.Globalization;
using Sluice.Models;
using Sluice.Models.Execution;

namespace Sluice.Cli.Models;

/// <summary>
/// <c>sluice models run|test|build|seed|compile|ls</c>: SQL models of a dbt-style project folder
/// (<see cref="ModelRunner"/>; docs/models.md). Progress prints one line per node start and finish; a project that
/// does not load (a Jinja syntax error, a missing ref, a cycle) prints one sentence naming the file and line and runs
/// nothing. Exit code 1 when a node errors or a test fails (warnings do not count).
/// </summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var projectDir = new Option<string>("--project-dir") { Description = "The project folder (holding sluice_project.yml or dbt_project.yml).", DefaultValueFactory = _ => ".", Recursive = true };
        var profilesDir = new Option<string?>("--profiles-dir") { Description = "The folder of profiles.yml (default: the project folder; without one: DuckDB at <project>/sluice-data/warehouse.duckdb).", Recursive = true };
        var target = new Option<string?>("--target", "-t") { Description = "The profile output to use (default: the profile's target).", Recursive = true };
        var select = new Option<string[]>("--select", "-s") { Description = "Nodes: a name, +name (and upstream), name+ (and downstream), tag:x, path:models/dir, source:s.t; several are unioned.", AllowMultipleArgumentsPerToken = true, Recursive = true };
        var exclude = new Option<string[]>("--exclude") { Description = "Nodes to leave out (same syntax as --select).", AllowMultipleArgumentsPerToken = true, Recursive = true };
        var models = new Command("models", "SQL models (dbt's model): build a project's seeds, models and tests on DuckDB or PostgreSQL.") { projectDir, profilesDir, target, select, exclude };

        var fullRefresh = new Option<bool>("--full-refresh") { Description = "Rebuild incremental models from scratch." };
        var threads = new Option<int?>("--threads") { Description = "Nodes run at once (1-64; default: the target's threads, else 4)." };
        threads.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 or > 64)
            {
                r.AddError("--threads must be 1-64.");
            }
        });
        var vars = new Option<string[]>("--vars") { Description = "Values for var(), as name=value (repeatable)." };
        var lineage = LineageOption.Create();

        foreach (var (name, command, description) in new[]
        {
            ("run", ModelCommand.Run, "Build the selected models in dependency order."),
            ("test", ModelCommand.Test, "Run the selected tests; exit 1 if one fails."),
            ("build", ModelCommand.Build, "Seeds, models and tests in one dependency order; a failing test skips what depends on it."),
            ("seed", ModelCommand.Seed, "Load the selected seeds (seeds/*.csv) into tables."),
            ("compile", ModelCommand.Compile, "Render the selected models and tests to target/compiled/ without connecting."),
            ("ls", ModelCommand.List, "List the selected nodes' unique ids in dependency order."),
        })
        {
            var sub = new Command(name, description);
            if (command is ModelCommand.Run or ModelCommand.Build or ModelCommand.Test or ModelCommand.Seed)
            {
                sub.Options.Add(threads);
                sub.Options.Add(lineage);
            }
            if (command is ModelCommand.Run or ModelCommand.Build)
            {
                sub.Options.Add(fullRefresh);
            }
            sub.Options.Add(vars);
            sub.SetAction(async (parse, cancellationToken) =>
            {
                var runsNodes = command is ModelCommand.Run or ModelCommand.Build or ModelCommand.Test or ModelCommand.Seed;
                await using var emitter = runsNodes ? LineageOption.Emitter(parse, lineage) : Sluice.Lineage.NoLineageEmitter.Instance;
                var options = new ModelRunOptions
                {
                    ProjectDirectory = parse.GetValue(projectDir)!,
                    ProfilesDirectory = parse.GetValue(profilesDir),
                    Target = parse.GetValue(target),
                    Command = command,
                    Select = parse.GetValue(select) ?? [],
                    Exclude = parse.GetValue(exclude) ?? [],
                    FullRefresh = parse.GetValue(fullRefresh),
                    Threads = parse.GetValue(threads),
                    Vars = ParseVars(parse.GetValue(vars) ?? []),
                    Lineage = emitter is Sluice.Lineage.NoLineageEmitter ? null : emitter,
                };
                ModelRunReport report;
                try
                {
                    report = await ModelRunner.RunAsync(options, command is ModelCommand.List or ModelCommand.Compile ? null : new LineProgress(), cancellationToken).ConfigureAwait(false);
                }
                catch (ModelProjectException e)
                {
                    throw new CommandFailedException(e.Message, e);
                }
                Print(command, report);
                return report.Succeeded ? 0 : 1;
            });
            models.Subcommands.Add(sub);
        }
        return models;
    }

    private static Dictionary<string, string> ParseVars(string[] values)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CommandFailedException($"--vars '{value}' is not name=value: write e.g. --vars start_date=2024-01-01.");
            }
            result[value[..equals]] = value[(equals + 1)..];
        }
        return result;
    }

    private static void Print(ModelCommand command, ModelRunReport report)
    {
        if (command == ModelCommand.List)
        {
            foreach (var id in report.Selected)
            {
                Console.WriteLine(id);
            }
            return;
        }
        if (command == ModelCommand.Compile)
        {
            Console.WriteLine($"Compiled {report.Selected.Count} node(s) of '{report.Project}' to {Path.Combine(report.TargetDirectory, "compiled")}.");
            return;
        }
        var results = report.Results;
        foreach (var failure in results.Where(r => r.IsFailure || r.Status == NodeStatus.Warn))
        {
            Console.WriteLine();
            Console.WriteLine($"{(failure.Status == NodeStatus.Warn ? "Warning" : failure.Status == NodeStatus.Fail ? "Failure" : "Error")} in {failure.ResourceType} {failure.Name}: {failure.Message}");
            foreach (var row in failure.FailingSample)
            {
                Console.WriteLine($"  {row}");
            }
        }
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Done in {report.Elapsed.TotalSeconds:0.00}s on {report.Target}. PASS={results.Count(r => r.Status is NodeStatus.Success or NodeStatus.Pass)} WARN={results.Count(r => r.Status == NodeStatus.Warn)} ERROR={results.Count(r => r.Status == NodeStatus.Error)} FAIL={results.Count(r => r.Status == NodeStatus.Fail)} SKIP={results.Count(r => r.Status == NodeStatus.Skipped)} TOTAL={results.Count}"));
    }

    /// <summary>One line per node start and finish (events arrive on worker threads; Console.WriteLine is atomic per line).</summary>
    private sealed class LineProgress : IProgress<ModelRunEvent>
    {
        public void Report(ModelRunEvent value)
        {
            var time = DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
            if (value.Result is not { } result)
            {
                Console.WriteLine($"{time}  {value.Index} of {value.Total} START {value.Description}");
                return;
            }
            var status = result.Status switch
            {
                NodeStatus.Success => "OK",
                NodeStatus.Pass => "PASS",
                NodeStatus.Warn => "WARN",
                NodeStatus.Fail => "FAIL",
                NodeStatus.Skipped => "SKIP",
                _ => "ERROR",
            };
            var detail = result.Status switch
            {
                NodeStatus.Success => result.Message,
                NodeStatus.Fail or NodeStatus.Warn => $"{result.Failures} failing row(s)",
                NodeStatus.Skipped => result.Message,
                NodeStatus.Error => "see below",
                _ => "",
            };
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{time}  {value.Index} of {value.Total} {status} {value.Description}{(detail.Length > 0 ? " [" + detail + "]" : "")} in {result.ExecutionTime.TotalSeconds:0.00}s"));
        }
    }
}
