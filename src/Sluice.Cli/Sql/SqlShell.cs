using System.Text;
using System.Text.Json;
using RadLine;
using Sluice.Sql;
using Sluice.Sql.Session;
using Spectre.Console;

namespace Sluice.Cli.Sql;

/// <summary>
/// The interactive SQL shell of <c>sluice sql</c>: reads lines until they end a statement (<see cref="SqlInput"/>),
/// runs it and shows its result; <c>HELP;</c> lists what it takes, <c>QUIT;</c> (or the end of input) leaves. On a
/// terminal it edits lines with RadLine, with the history kept in the data directory's <c>sql-history</c>, and an error
/// is printed and the shell goes on. With input from a pipe it prints no prompts, stops at the first error and exits 1.
/// Jobs an INSERT started are cancelled when the shell exits.
/// </summary>
internal sealed class SqlShell(SqlSession session, string? dataDirectory, bool verbose)
{
    private const int HistoryLimit = 1000;

    internal const string HelpText = """
        Statements end with ';' and may span lines. Besides Flink SQL (CREATE TABLE/VIEW/FUNCTION, DROP, SHOW TABLES,
        SHOW VIEWS, SHOW FUNCTIONS, DESCRIBE, SET, RESET, SELECT, INSERT INTO, EXECUTE STATEMENT SET, EXPLAIN):
          HELP;   this text
          QUIT;   leave the shell (also EXIT; or Ctrl+D)
        SET 'sql-client.execution.result-mode' = 'table' | 'changelog' | 'tableau' chooses how SELECT results show;
        Ctrl+C stops a running SELECT.
        """;

    private readonly List<JobClient> _jobs = [];

    /// <summary>Runs the shell until QUIT or the end of input; returns the exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var interactive = !Console.IsInputRedirected && LineEditor.IsSupported(AnsiConsole.Console);
        var printer = new SqlResultPrinter(AnsiConsole.Console, interactive);
        var prompt = new ShellPrompt();
        var editor = interactive ? new LineEditor { Prompt = prompt } : null;
        var historyFile = dataDirectory is null ? null : Path.Combine(dataDirectory, "sql-history");
        if (editor is not null)
        {
            LoadHistory(editor, historyFile);
            AnsiConsole.MarkupLine("Sluice SQL. Statements end with [bold];[/]; [bold]HELP;[/] lists what the shell takes, [bold]QUIT;[/] leaves.");
        }

        var buffer = new StringBuilder();
        try
        {
            while (true)
            {
                prompt.Continuation = buffer.Length > 0;
                var line = editor is not null
                    ? await editor.ReadLine(cancellationToken).ConfigureAwait(false)
                    : await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (line is null)
                {
                    return 0;
                }

                AppendHistory(historyFile, line);
                buffer.Append(line).Append('\n');
                var text = buffer.ToString();
                if (!SqlInput.IsComplete(text) && SqlInput.ShellCommand(text) is null)
                {
                    continue;
                }

                buffer.Clear();
                foreach (var piece in SqlInput.Split(text))
                {
                    switch (SqlInput.ShellCommand(piece))
                    {
                        case "QUIT" or "EXIT":
                            return 0;
                        case "HELP":
                            AnsiConsole.Console.WriteLine(HelpText);
                            continue;
                    }

                    if (!await RunAsync(piece, printer, interactive, cancellationToken).ConfigureAwait(false) && !interactive)
                    {
                        return 1;
                    }
                }
            }
        }
        finally
        {
            foreach (var job in _jobs)
            {
                job.Cancel();
            }
        }
    }

    /// <summary>Runs the statements of <paramref name="text"/>; false when one failed (its error is printed).</summary>
    private async Task<bool> RunAsync(string text, SqlResultPrinter printer, bool interactive, CancellationToken cancellationToken)
    {
        using var query = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            // Ctrl+C stops the running statement (a live SELECT), not the shell.
            e.Cancel = true;
            query.Cancel();
        }

        if (interactive)
        {
            Console.CancelKeyPress += OnCancel;
        }

        try
        {
            foreach (var result in session.ExecuteEach(text))
            {
                if (result is SqlJobResult job)
                {
                    _jobs.Add(job.Job);
                }

                await printer.ShowAsync(result, session.Settings.ResultMode, query.Token).ConfigureAwait(false);
            }

            return true;
        }
        catch (SqlException e)
        {
            SqlCommand.PrintError(e, text, verbose);
            return false;
        }
        catch (JobExecutionException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            if (verbose)
            {
                Console.Error.WriteLine(e.ToString());
            }

            return false;
        }
        finally
        {
            if (interactive)
            {
                Console.CancelKeyPress -= OnCancel;
            }
        }
    }

    /// <summary>Reads the history file (one JSON string per line) into the editor; a damaged line is skipped.</summary>
    private static void LoadHistory(LineEditor editor, string? file)
    {
        if (file is null || !File.Exists(file))
        {
            return;
        }

        var lines = File.ReadAllLines(file);
        foreach (var line in lines.AsSpan(Math.Max(0, lines.Length - HistoryLimit)))
        {
            try
            {
                if (JsonSerializer.Deserialize<string>(line) is { Length: > 0 } entry)
                {
                    editor.History.Add(entry);
                }
            }
            catch (JsonException)
            {
                // A line cut by a crash: the rest of the history is still good.
            }
        }
    }

    private static void AppendHistory(string? file, string line)
    {
        if (file is not null && line.Trim().Length > 0)
        {
            File.AppendAllText(file, JsonSerializer.Serialize(line) + "\n");
        }
    }

    /// <summary>The prompt: <c>sluice sql&gt;</c> for a new statement, an indented <c>&gt;</c> for its next lines.</summary>
    private sealed class ShellPrompt : ILineEditorPrompt
    {
        private static readonly Markup s_first = new("[green]sluice sql>[/]");
        private static readonly Markup s_more = new("[green]         >[/]");

        public bool Continuation { get; set; }

        public (Markup Markup, int Margin) GetPrompt(ILineEditorState state, int line) => (Continuation || line > 0 ? s_more : s_first, 1);
    }
}
