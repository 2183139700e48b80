using System.CommandLine;
using Sluice.Cli.Connectors;
using Sluice.Sql;
using Sluice.Sql.Session;
using Spectre.Console;

namespace Sluice.Cli.Sql;

/// <summary>
/// <c>sluice sql</c>: Flink SQL statements against a <see cref="SqlSession"/>. <c>-e "…"</c> runs statements,
/// <c>-f job.sql</c> runs a file (its INSERTs as one job), neither opens the interactive shell (<see cref="SqlShell"/>).
/// <c>--data-dir</c> keeps the catalog (and the shell's history) between runs. Errors print the statement's line and
/// a caret under the error; a non-interactive run stops at the first and exits 1.
/// </summary>
internal static class SqlCommand
{
    public static Command Create()
    {
        var execute = new Option<string?>("--execute", "-e") { Description = "Run these statements (separated by ';') and exit." };
        var file = new Option<string?>("--file", "-f") { Description = "Run the statements of this file and exit; all its INSERTs run together as one job." };
        var dataDir = new Option<string?>("--data-dir") { Description = "Keep the catalog (tables, views, functions) and the shell's history in this directory. Without it, they live until the command exits." };
        var lineage = LineageOption.Create();
        var command = new Command("sql", "Run Flink SQL: statements (-e), a file (-f), or an interactive shell.") { execute, file, dataDir, lineage };
        command.Validators.Add(result =>
        {
            if (result.GetValue(execute) is not null && result.GetValue(file) is not null)
            {
                result.AddError("Give either --execute or --file, not both.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var verbose = parse.GetValue(CommandLineHost.Verbose);
            var directory = parse.GetValue(dataDir) is { } d ? DataDirectories.CreateWritable(d, "SQL data directory") : null;
            await using var emitter = LineageOption.Emitter(parse, lineage);
            var session = SqlSession.Create(new SqlSessionOptions
            {
                DataDirectory = directory,
                Connectors = ConnectorsCommand.Registry(),
                ConfigureJob = job => job with { Lineage = emitter }, // the jobs' runs: START, COMPLETE or FAIL (docs/lineage.md)
            });
            foreach (var warning in session.Warnings)
            {
                Console.Error.WriteLine($"warning: {warning}");
            }

            if (parse.GetValue(execute) is { } statements)
            {
                return await RunScriptAsync(session, statements, insertsAsOneJob: false, verbose, cancellationToken).ConfigureAwait(false);
            }

            if (parse.GetValue(file) is { } path)
            {
                string script;
                try
                {
                    script = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new CommandFailedException($"The SQL file '{path}' cannot be read ({e.Message.TrimEnd('.')}).", e);
                }

                return await RunScriptAsync(session, script, insertsAsOneJob: true, verbose, cancellationToken).ConfigureAwait(false);
            }

            return await new SqlShell(session, directory, verbose).RunAsync(cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Runs a script, showing each result as its statement ran; stops at the first error (exit 1).</summary>
    internal static async Task<int> RunScriptAsync(SqlSession session, string script, bool insertsAsOneJob, bool verbose, CancellationToken cancellationToken)
    {
        var printer = new SqlResultPrinter(AnsiConsole.Console, interactive: false);
        try
        {
            foreach (var result in session.ExecuteEach(script, insertsAsOneJob))
            {
                await printer.ShowAsync(result, session.Settings.ResultMode, cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }
        catch (SqlException e)
        {
            PrintError(e, script, verbose);
            return 1;
        }
    }

    /// <summary>Prints a statement error: <c>error: line:column: reason</c>, the line and a caret; the stack trace only when verbose.</summary>
    internal static void PrintError(SqlException e, string script, bool verbose)
    {
        Console.Error.WriteLine($"error: {e.Describe(script)}");
        if (verbose)
        {
            Console.Error.WriteLine(e.ToString());
        }
    }
}
