using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sluice.Connectors.DuckDb;
using Sluice.Examples.Clickstream.Demo;
using Spectre.Console;

namespace Sluice.Cli.Demo;

/// <summary><c>sluice query</c>: SQL over the demo's DuckDB warehouse, with the lake's Parquet reachable as views.</summary>
internal static class QueryCommand
{
    public static Command Create()
    {
        var sql = new Argument<string>("sql") { Description = "The SQL to run (DuckDB dialect). Tables: page_minute, sessions, user_features, late_events; view: bronze_clicks." };
        var dataDir = new Option<string>("--data-dir") { Description = "The demo's data directory.", DefaultValueFactory = _ => DemoCommand.DefaultDataDirectory };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per row." };
        var command = new Command("query", "Run SQL on the DuckDB warehouse; the Parquet lake is reachable as views (e.g. bronze_clicks).") { sql, dataDir, json };
        command.SetAction(parse =>
        {
            var paths = new DemoPaths(Path.GetFullPath(parse.GetValue(dataDir)!));
            if (!File.Exists(paths.Warehouse))
            {
                Console.Error.WriteLine($"error: no warehouse at {paths.Warehouse}; run ./sluice demo first (or pass --data-dir).");
                return 1;
            }
            try
            {
                using var database = DuckDbDatabase.Open(paths.Warehouse);
                using var connection = database.Connect();
                foreach (var table in Directory.Exists(paths.Lake) ? Directory.GetDirectories(paths.Lake) : [])
                {
                    if (Directory.EnumerateFiles(table, "*.parquet", SearchOption.AllDirectories).Any())
                    {
                        var name = Path.GetFileName(table);
                        connection.Execute($"CREATE OR REPLACE TEMP VIEW \"{name}\" AS SELECT * FROM read_parquet('{table.Replace("'", "''", StringComparison.Ordinal)}/**/*.parquet', hive_partitioning = true)");
                    }
                }
                Print(connection.Query(parse.GetValue(sql)!), parse.GetValue(json));
                return 0;
            }
            catch (DuckDbException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

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
