using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Connectors.Delta;
using Spectre.Console;

namespace Sluice.Cli.Delta;

/// <summary><c>sluice delta history|describe|optimize|vacuum PATH</c>: inspect and maintain a Delta table in a local directory.</summary>
internal static class DeltaCommand
{
    public static Command Create()
    {
        var command = new Command("delta", "Inspect and maintain Delta Lake tables: history, describe, optimize, vacuum.");
        command.Subcommands.Add(History());
        command.Subcommands.Add(Describe());
        command.Subcommands.Add(Optimize());
        command.Subcommands.Add(Vacuum());
        return command;
    }

    private static Argument<string> PathArgument() => new("path") { Description = "The table's directory (the one holding _delta_log)." };

    private static Option<bool> JsonOption(string what) => new("--json") { Description = $"Print {what} as JSON." };

    private static DeltaTable OpenTable(string path)
    {
        if (!DeltaTable.Exists(path))
        {
            throw new CommandFailedException($"'{Path.GetFullPath(path)}' is not a Delta table: it has no _delta_log directory with commits; give the table's root directory.");
        }
        return DeltaTable.Open(path);
    }

    private static Command History()
    {
        var path = PathArgument();
        var limit = new Option<int?>("--limit") { Description = "Show only the newest N commits." }.MustBeAtLeast(1);
        var json = JsonOption("one object per commit (version, timestamp, operation, parameters, metrics)");
        var command = new Command("history", "List the table's commits, newest first: version, time, operation, its parameters and metrics.") { path, limit, json };
        command.SetAction(parse =>
        {
            var entries = OpenTable(parse.GetValue(path)!).History(parse.GetValue(limit));
            if (parse.GetValue(json))
            {
                foreach (var entry in entries)
                {
                    Console.WriteLine(new JsonObject
                    {
                        ["version"] = entry.Version,
                        ["timestamp"] = entry.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                        ["operation"] = entry.Operation,
                        ["operationParameters"] = ToJson(entry.Parameters),
                        ["operationMetrics"] = ToJson(entry.Metrics),
                        ["readVersion"] = entry.ReadVersion,
                        ["isBlindAppend"] = entry.IsBlindAppend,
                        ["engineInfo"] = entry.EngineInfo,
                    }.ToJsonString());
                }
                return 0;
            }
            var table = new Table().AddColumns("version", "timestamp (UTC)", "operation", "parameters", "metrics");
            foreach (var entry in entries)
            {
                table.AddRow(Cells(
                    Number(entry.Version),
                    entry.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    entry.Operation ?? "",
                    string.Join(", ", entry.Parameters.Select(p => $"{p.Key}={p.Value}")),
                    string.Join(", ", entry.Metrics.Select(p => $"{p.Key}={p.Value}"))));
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Describe()
    {
        var path = PathArgument();
        var json = JsonOption("the description as one object");
        var command = new Command("describe", "Show the table's latest version, schema, partition columns, file count, size and properties.") { path, json };
        command.SetAction(parse =>
        {
            var snapshot = OpenTable(parse.GetValue(path)!).GetSnapshot();
            if (parse.GetValue(json))
            {
                Console.WriteLine(new JsonObject
                {
                    ["path"] = snapshot.TablePath,
                    ["id"] = snapshot.TableId,
                    ["version"] = snapshot.Version,
                    ["schema"] = new JsonArray([.. snapshot.Schema.Select(f => new JsonObject { ["name"] = f.Name, ["type"] = f.Type.ToString() })]),
                    ["partitionColumns"] = new JsonArray([.. snapshot.PartitionColumns.Select(c => JsonValue.Create(c))]),
                    ["numFiles"] = snapshot.FileCount,
                    ["sizeInBytes"] = snapshot.SizeInBytes,
                    ["numRecords"] = snapshot.RowCount,
                    ["properties"] = ToJson(snapshot.Configuration.ToDictionary(p => p.Key, p => p.Value ?? "")),
                }.ToJsonString());
                return 0;
            }
            Console.WriteLine($"{snapshot.TablePath} (id {snapshot.TableId}), version {snapshot.Version}");
            Console.WriteLine($"{Number(snapshot.FileCount)} data files, {Number(snapshot.SizeInBytes)} bytes, {(snapshot.RowCount is { } rows ? Number(rows) : "unknown")} rows");
            Console.WriteLine($"partitioned by: {(snapshot.PartitionColumns.Count == 0 ? "(none)" : string.Join(", ", snapshot.PartitionColumns))}");
            var columns = new Table().AddColumns("column", "type");
            foreach (var field in snapshot.Schema)
            {
                columns.AddRow(Cells(field.Name, field.Type.ToString()));
            }
            AnsiConsole.Write(columns);
            foreach (var (key, value) in snapshot.Configuration.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Console.WriteLine($"{key} = {value}");
            }
            return 0;
        });
        return command;
    }

    private static Command Optimize()
    {
        var path = PathArgument();
        var target = new Option<string>("--target-size") { Description = "The size packed files aim at: bytes, or with a unit (512KiB, 64MiB, 1GiB; default 128MiB)." };
        var where = new Option<string>("--where") { Description = "Pack only the partitions matching 'column op value' on a partition column (op: = < <= > >=), e.g. \"region = 'eu'\"." };
        var command = new Command("optimize", "Pack each partition's small data files into files of about the target size (OPTIMIZE; the rows do not change).") { path, target, where };
        command.SetAction(parse =>
        {
            var table = OpenTable(parse.GetValue(path)!);
            var options = new DeltaOptimizeOptions
            {
                TargetFileSize = parse.GetValue(target) is { } size ? ParseSize(size) : DeltaOptimizeOptions.DefaultTargetFileSize,
                Where = parse.GetValue(where) is { } text ? WhereClause.Parse(text, table.GetSnapshot().Schema) : null,
            };
            var result = table.Optimize(options);
            Console.WriteLine(result.Version is { } version
                ? $"Version {version}: packed {Number(result.FilesRemoved)} files into {Number(result.FilesAdded)} ({Number(result.RowsCopied)} rows)."
                : "Nothing to pack: no partition has two files smaller than the target size.");
            return 0;
        });
        return command;
    }

    private static Command Vacuum()
    {
        var path = PathArgument();
        var retain = new Option<double?>("--retain-hours") { Description = "Keep files that versions of the last N hours need (default: the table's delta.deletedFileRetentionDuration, 7 days)." }.MustBeAtLeast(0);
        var dryRun = new Option<bool>("--dry-run") { Description = "Only list the files that would be deleted." };
        var force = new Option<bool>("--force") { Description = "Allow a retention shorter than the table's (readers of older versions and writes in flight may lose files)." };
        var json = JsonOption("the result as one object (files, bytes)");
        var command = new Command("vacuum", "Delete data files no version within the retention references (VACUUM); the log and hidden files are never touched.") { path, retain, dryRun, force, json };
        command.SetAction(parse =>
        {
            var table = OpenTable(parse.GetValue(path)!);
            var hours = parse.GetValue(retain);
            var result = table.Vacuum(hours is { } h ? TimeSpan.FromHours(h) : null, parse.GetValue(dryRun), parse.GetValue(force));
            if (parse.GetValue(json))
            {
                Console.WriteLine(new JsonObject
                {
                    ["dryRun"] = result.DryRun,
                    ["files"] = new JsonArray([.. result.Files.Select(f => JsonValue.Create(f))]),
                    ["bytes"] = result.Bytes,
                    ["retainedSince"] = result.RetainedSince.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                    ["oldestRetainedVersion"] = result.OldestRetainedVersion,
                }.ToJsonString());
                return 0;
            }
            foreach (var file in result.Files)
            {
                Console.WriteLine(file);
            }
            Console.WriteLine($"{(result.DryRun ? "Would delete" : "Deleted")} {Number(result.Files.Count)} files ({Number(result.Bytes)} bytes); versions from {Number(result.OldestRetainedVersion)} on stay readable.");
            return 0;
        });
        return command;
    }

    /// <summary>Parses a size: bytes, or a number with K/KB/KiB, M/MB/MiB, G/GB/GiB (all binary: 1K = 1024).</summary>
    internal static long ParseSize(string text)
    {
        var trimmed = text.Trim();
        var digits = 0;
        while (digits < trimmed.Length && char.IsAsciiDigit(trimmed[digits]))
        {
            digits++;
        }
        var shift = trimmed[digits..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 10,
            "M" or "MB" or "MIB" => 20,
            "G" or "GB" or "GIB" => 30,
            _ => -1,
        };
        if (digits == 0 || shift < 0 || !long.TryParse(trimmed.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1 || value > long.MaxValue >> shift)
        {
            throw new CommandFailedException($"--target-size '{text}' is not a size: give bytes or a number with KiB, MiB or GiB, e.g. 128MiB.");
        }
        return value << shift;
    }

    private static JsonObject ToJson(IEnumerable<KeyValuePair<string, string>> values)
    {
        var json = new JsonObject();
        foreach (var (key, value) in values)
        {
            json[key] = value;
        }
        return json;
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static Markup[] Cells(params string[] values) => [.. values.Select(v => new Markup(Markup.Escape(v)))];
}
