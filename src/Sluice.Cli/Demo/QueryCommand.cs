using System.CommandLine;
using System.Data.Common;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using DuckDB.NET.Data;
using Sluice.Examples.Clickstream.Demo;
using Sluice.Server.Lake;
using Spectre.Console;

namespace Sluice.Cli.Demo;

/// <summary>
/// <c>sluice query</c>: SQL over the demo's DuckDB warehouse, with the lake's tables reachable as views (a Delta table
/// at its latest version, or the one <c>--delta-version</c> names; see <see cref="LakeViews"/>). Read-only by
/// default: DuckDB opens the warehouse with <c>access_mode=READ_ONLY</c>, file access limited to the lake, and COPY,
/// ATTACH, DETACH and EXPORT refused; <c>--write</c> opts in to changes, with DuckDB's file access limited to the lake
/// and the data directory's <c>files/</c> folder (so no COPY, EXPORT or ATTACH can reach the warehouse file or its
/// WAL, whatever the path expression). Always, even with <c>--write</c>: the
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
        var deltaVersion = new Option<string[]>("--delta-version")
        {
            Description = "Read the lake's Delta table NAME at version N instead of its latest (NAME=N, repeatable): time travel.",
            AllowMultipleArgumentsPerToken = false,
        };
        var write = new Option<bool>("--write") { Description = "Allow statements that change the warehouse (INSERT, DELETE, DROP…) or write files in <data-dir>/files (COPY … TO, EXPORT, ATTACH). The _sluice_* tables stay read-only." };
        var command = new Command("query", "Run SQL on the DuckDB warehouse (read-only unless --write); the lake is reachable as views (Parquet folders, Delta tables at their latest version or --delta-version NAME=N; e.g. bronze_clicks).") { sql, dataDir, json, write, deltaVersion };
        command.SetAction(parse =>
        {
            var paths = new DemoPaths(Path.GetFullPath(parse.GetValue(dataDir)!));
            if (!File.Exists(paths.Warehouse))
            {
                Console.Error.WriteLine($"error: no warehouse at {paths.Warehouse}; run ./sluice demo first (or pass --data-dir).");
                return 1;
            }
            if (ParseVersions(parse.GetValue(deltaVersion) ?? []) is not { } versions)
            {
                return 1;
            }
            var text = parse.GetValue(sql)!;
            var writable = parse.GetValue(write);
            var files = Path.Combine(paths.Root, "files");
            if (QueryGuard.Check(text, writable, [paths.Lake, files]) is { } refusal)
            {
                Console.Error.WriteLine($"error: {refusal}");
                return 1;
            }
            try
            {
                var connectionString = new DuckDBConnectionStringBuilder
                {
                    DataSource = paths.Warehouse,
                    ["access_mode"] = writable ? "READ_WRITE" : "READ_ONLY",
                    ["autoinstall_known_extensions"] = "false",
                    ["autoload_known_extensions"] = "false",
                };
                using var connection = new DuckDBConnection(connectionString.ConnectionString);
                connection.Open();
                // Files: only the lake (its views), DuckDB's own spill directory and, with --write, the files folder — never
                // the warehouse file or its WAL, which DuckDB itself keeps writing (its storage is not subject to the
                // list). allowed_directories cannot be set through the open-time configuration, so set it before
                // switching external access off; this also keeps INSTALL and LOAD from reaching any extension.
                var allowed = writable ? [paths.Lake, paths.Warehouse + ".tmp", files] : new[] { paths.Lake, paths.Warehouse + ".tmp" };
                if (writable)
                {
                    Directory.CreateDirectory(files);
                }
                Execute(connection, $"SET allowed_directories = [{string.Join(", ", allowed.Select(d => Literal(d + "/")))}]");
                Execute(connection, "SET enable_external_access = false");
                Execute(connection, "SET lock_configuration = true");
                LakeViewPlan views;
                try
                {
                    views = LakeViews.Plan(paths.Lake, versions);
                }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine($"error: {e.Message.Split(" (Parameter", 2)[0]}");
                    return 1;
                }
                foreach (var problem in views.Problems)
                {
                    Console.Error.WriteLine($"warning: {problem}");
                }
                foreach (var refused in views.CreateIn(connection))
                {
                    Console.Error.WriteLine($"warning: {refused}");
                }
                Print(LastResult(connection, text), parse.GetValue(json));
                return 0;
            }
            catch (DbException e)
            {
                Console.Error.WriteLine($"error: {Explain(e.Message, writable, files)}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>The <c>--delta-version NAME=N</c> values as a map, or null (after printing the error) when one is malformed.</summary>
    private static Dictionary<string, long>? ParseVersions(string[] values)
    {
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var equals = value.LastIndexOf('=');
            if (equals <= 0 || !long.TryParse(value.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                Console.Error.WriteLine($"error: --delta-version '{value}' is not NAME=N; give a lake table's name and a version number, e.g. --delta-version orders=3.");
                return null;
            }
            versions[value[..equals]] = version;
        }
        return versions;
    }

    /// <summary>DuckDB's message, or for what read-only mode refused, one sentence naming the statement and <c>--write</c>.</summary>
    private static string Explain(string message, bool writable, string files)
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
        if (writable && message.Contains("file system operations are disabled by configuration", StringComparison.Ordinal))
        {
            return $"Reading or writing files outside the lake and {files} is refused: with --write sluice query keeps DuckDB away from the warehouse file and everything else; put the file under {files}/.";
        }
        // DuckDB's errors may span lines (a caret under the position): keep the first, the sentence.
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline].TrimEnd();
    }

    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Runs every statement of <paramref name="sql"/> and returns the rows of the last one.</summary>
    private static QueryRows LastResult(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        QueryRows result;
        do
        {
            // DuckDB.NET runs the next statement when the reader moves to its result: read them all, keep the last.
            var columns = new string[reader.FieldCount];
            for (var col = 0; col < columns.Length; col++)
            {
                columns[col] = reader.GetName(col);
            }
            var rows = new List<object?[]>();
            while (reader.Read())
            {
                var row = new object?[columns.Length];
                for (var col = 0; col < columns.Length; col++)
                {
                    row[col] = reader.IsDBNull(col) ? null : Plain(reader.GetValue(col));
                }
                rows.Add(row);
            }
            result = new QueryRows(columns, rows);
        }
        while (reader.NextResult());
        return result;
    }

    /// <summary>A value as printed: HUGEINT results (e.g. sum of BIGINT) as a number when they fit 64 bits.</summary>
    private static object Plain(object value) => value switch
    {
        BigInteger big when big >= long.MinValue && big <= long.MaxValue => (long)big,
        BigInteger big => big.ToString(CultureInfo.InvariantCulture),
        _ => value,
    };

    /// <summary>A value as shown in the table: timestamps and dates as DuckDB prints them (ISO 8601, not the invariant
    /// culture's month-first form), numbers culture-independent.</summary>
    private static string Display(object? value) => value switch
    {
        null => "NULL",
        string text => text,
        DateTime at => at.ToString(at.TimeOfDay.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset at => at.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFzzz", CultureInfo.InvariantCulture),
        DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => JsonSerializer.Serialize(value),
    };

    private static void Print(QueryRows result, bool json)
    {
        if (json)
        {
            foreach (var row in result.Rows)
            {
                var values = new Dictionary<string, object?>();
                for (var col = 0; col < result.Columns.Length; col++)
                {
                    values[result.Columns[col]] = row[col];
                }
                Console.WriteLine(JsonSerializer.Serialize(values));
            }
            return;
        }
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in result.Columns)
        {
            table.AddColumn(Markup.Escape(column));
        }
        foreach (var row in result.Rows)
        {
            var cells = new string[row.Length];
            for (var col = 0; col < row.Length; col++)
            {
                cells[col] = Markup.Escape(Display(row[col]));
            }
            table.AddRow(cells);
        }
        AnsiConsole.Write(table);
        Console.WriteLine($"{result.Rows.Count:N0} row(s)");
    }

    private sealed record QueryRows(string[] Columns, List<object?[]> Rows);
}
