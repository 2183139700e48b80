using Sluice.Sql.Session;
using Spectre.Console;

namespace Sluice.Cli.Sql;

/// <summary>
/// Shows statement results on the console: messages as <c>[INFO] …</c>, listings as tables, plans as text, jobs
/// awaited (a non-interactive run must not exit while its job writes), and SELECT results live
/// (<see cref="ChangelogTableView"/>) or, without a terminal, as one line per changelog row.
/// </summary>
internal sealed class SqlResultPrinter(IAnsiConsole console, bool interactive)
{
    /// <summary>How often a live result is redrawn at most.</summary>
    private static readonly TimeSpan s_refresh = TimeSpan.FromMilliseconds(100);

    /// <summary>Shows <paramref name="result"/>; returns when it is shown (for a job: when the job ended, unless interactive).</summary>
    /// <exception cref="JobExecutionException">The job of an INSERT or SELECT failed.</exception>
    public async Task ShowAsync(SqlStatementResult result, SqlResultMode mode, CancellationToken cancellationToken)
    {
        switch (result)
        {
            case SqlMessageResult message:
                console.WriteLine($"[INFO] {message.Message}");
                break;
            case SqlTableResult table when table.Rows.Count == 0:
                console.WriteLine("Empty set");
                break;
            case SqlTableResult table:
                var grid = new Table();
                foreach (var column in table.Columns)
                {
                    grid.AddColumn(Markup.Escape(column));
                }

                foreach (var row in table.Rows)
                {
                    grid.AddRow([.. row.Select(static c => Markup.Escape(c))]);
                }

                console.Write(grid);
                console.WriteLine($"{table.Rows.Count} row{(table.Rows.Count == 1 ? "" : "s")} in set");
                break;
            case SqlExplainResult explain:
                console.WriteLine(explain.Plan);
                break;
            case SqlJobResult job when interactive:
                console.WriteLine($"[INFO] Job '{job.Job.JobName}' ({job.Job.Id}) was submitted; it runs while the shell does.");
                break;
            case SqlJobResult job:
                console.WriteLine($"[INFO] Job '{job.Job.JobName}' ({job.Job.Id}) was submitted; waiting for it to finish.");
                await job.Job.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
                console.WriteLine($"[INFO] Job '{job.Job.JobName}' finished.");
                break;
            case SqlQueryResult query:
                await using (query.ConfigureAwait(false))
                {
                    await (interactive && mode != SqlResultMode.Tableau ? ShowLiveAsync(query, mode, cancellationToken) : ShowLinesAsync(query, cancellationToken)).ConfigureAwait(false);
                }

                break;
        }
    }

    private async Task ShowLiveAsync(SqlQueryResult query, SqlResultMode mode, CancellationToken cancellationToken)
    {
        var view = new ChangelogTableView(query.Schema, mode);
        await console.Live(view.Render()).StartAsync(async live =>
        {
            var last = DateTime.UtcNow;
            try
            {
                await foreach (var row in query.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    view.Apply(row);
                    if (DateTime.UtcNow - last >= s_refresh)
                    {
                        live.UpdateTarget(view.Render());
                        last = DateTime.UtcNow;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C ends the view; the job is cancelled when the result is disposed.
            }

            live.UpdateTarget(view.Render());
        }).ConfigureAwait(false);
    }

    private async Task ShowLinesAsync(SqlQueryResult query, CancellationToken cancellationToken)
    {
        var columns = new List<string> { "op" };
        for (var i = 0; i < query.Schema.Count; i++)
        {
            columns.Add(query.Schema[i].Name);
        }

        console.WriteLine(string.Join(" | ", columns));
        var count = 0L;
        await foreach (var row in query.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            var cells = new string[row.FieldCount + 1];
            cells[0] = ChangelogTableView.Kind(row.Kind);
            for (var i = 0; i < row.FieldCount; i++)
            {
                cells[i + 1] = ChangelogTableView.Format(row.GetValue(i));
            }

            console.WriteLine(string.Join(" | ", cells));
            count++;
        }

        console.WriteLine($"Received a total of {count} row{(count == 1 ? "" : "s")}");
    }
}
