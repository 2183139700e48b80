using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sluice.Connectors.DuckDb;
using Sluice.Examples.Clickstream.Demo;
using Spectre.Console;

namespace Sluice.Cli.Demo;

/// <summary>
/// <c>sluice query</c>: SQL over the demo's DuckDB warehouse, with the lake's Parquet reachable as views. Read-only by
/// default: DuckDB opens the warehouse with <c>access_mode=READ_ONLY</c>, file access limited to the lake, and COPY,
/// ATTACH, DETACH and EXPORT refused; <c>--write</c> opts in to changes. Always, even with <c>--write</c>: the
/// <c>_sluice_*</c> tables (the sinks' exactly-once ledger) can only be read, extensions are never installed or loaded,
/// and the configuration is locked. Every refusal is one sentence naming what was refused and the fix (see
/// <see cref="QueryGuard"/>).
/// </summary>
internal static class QueryCommand
{
    public static Command Create()
    {
        var sql = new Argument<string>("sql") { Description = "The SQL to run (DuckDB dialect). Tables: page_minute, sessions, user_features, late_events; view: bronze_clicks." };
        var dataDir = new Option<string>("--data-dir") { Description = "The demo's data directory.", DefaultValueFactory = _ => DemoCommand.DefaultDataDirectory };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per row." };
        var write = new Option<bool>("--write") { Description = "Allow statements that change the warehouse or other files (INSERT, DELETE, DROP, COPY … TO, ATTACH…). The _sluice_* tables stay read-only." };
        var command = new Command("query", "Run SQL on the DuckDB warehouse (read-only unless --write); the Parquet lake is reachable as views (e.g. bronze_clicks).") { sql, dataDir, json, write };
        command.SetAction(parse =>
        {
            var paths = new DemoPaths(Path.GetFullPath(parse.GetValue(dataDir)!));
            if (!File.Exists(paths.Warehouse))
            {
                Console.Error.WriteLine($"error: no warehouse at {paths.Warehouse}; run ./sluice demo first (or pass --data-dir).");
                return 1;
            }
            var text = parse.GetValue(sql)!;
            var writable = parse.GetValue(write);
            if (QueryGuard.Check(text, writable) is { } refusal)
            {
                Console.Error.WriteLine($"error: {refusal}");
                return 1;
            }
            try
            {
                using var database = DuckDbDatabase.Open(paths.Warehouse, new Dictionary<string, string>
                {
                    ["access_mode"] = writable ? "READ_WRITE" : "READ_ONLY",
                    ["autoinstall_known_extensions"] = "false",
                    ["autoload_known_extensions"] = "false",
                });
                using var connection = database.Connect();
                if (!writable)
                {
                    // Files: only the lake (its views) and DuckDB's own spill directory. allowed_directories cannot be
                    // set through the open-time configuration, so set it before switching external access off.
                    connection.Execute($"SET allowed_directories = [{Literal(paths.Lake + "/")}, {Literal(paths.Warehouse + ".tmp/")}]");
                    connection.Execute("SET enable_external_access = false");
                }
                connection.Execute("SET lock_configuration = true");
                foreach (var table in Directory.Exists(paths.Lake) ? Directory.GetDirectories(paths.Lake) : [])
                {
                    if (Directory.EnumerateFiles(table, "*.parquet", SearchOption.AllDirectories).Any())
                    {
                        var name = Path.GetFileName(table);
                        connection.Execute($"CREATE OR REPLACE TEMP VIEW \"{name}\" AS SELECT * FROM read_parquet({Literal(table + "/**/*.parquet")}, hive_partitioning = true)");
                    }
                }
                Print(connection.Query(text), parse.GetValue(json));
                return 0;
            }
            catch (DuckDbException e)
            {
                Console.Error.WriteLine($"error: {Explain(e.Message, writable)}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>DuckDB's message, or for what read-only mode refused, one sentence naming the statement and <c>--write</c>.</summary>
    private static string Explain(string message, bool writable)
    {
        const string Marker = "Cannot execute statement of type \"";
        var at = message.IndexOf(Marker, StringComparison.Ordinal);
        if (!writable && at >= 0 && message.Contains("read-only mode", StringComparison.Ordinal))
        {
            var start = at + Marker.Length;
            var end = message.IndexOf('"', start);
            var type = end > start ? message[start..end] : "This statement";
            return $"{type} is refused: sluice query opens the warehouse read-only; rerun with --write to change it.";
        }
        if (!writable && message.Contains("file system operations are disabled by configuration", StringComparison.Ordinal))
        {
            return "Reading or writing files outside the lake is refused: sluice query opens the warehouse read-only; rerun with --write to allow it.";
        }
        // DuckDB's errors may span lines (a caret under the position): keep the first, the sentence.
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline].TrimEnd();
    }

    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static void Print(DuckDbResult result, bool json)
    {
        if (json)
        {
            for (var row = 0; row < result.RowCount; row++)
            {
                var values = new Dictionary<string, object?>();
                for (var col = 0; col < result.ColumnCount; col++)
                {
                    values[result.GetColumnName(col)] = result.IsNull(row, col) ? null : result.GetValue(row, col);
                }
                Console.WriteLine(JsonSerializer.Serialize(values));
            }
            return;
        }
        var table = new Table().Border(TableBorder.Rounded);
        for (var col = 0; col < result.ColumnCount; col++)
        {
            table.AddColumn(Markup.Escape(result.GetColumnName(col)));
        }
        for (var row = 0; row < result.RowCount; row++)
        {
            var cells = new string[result.ColumnCount];
            for (var col = 0; col < result.ColumnCount; col++)
            {
                cells[col] = Markup.Escape(result.IsNull(row, col) ? "NULL" : Convert.ToString(result.GetValue(row, col), CultureInfo.InvariantCulture) ?? "");
            }
            table.AddRow(cells);
        }
        AnsiConsole.Write(table);
        Console.WriteLine($"{result.RowCount:N0} row(s)");
    }
}
