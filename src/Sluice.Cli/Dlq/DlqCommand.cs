using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sluice.Cli.Jobs;
using Sluice.Cli.Log;
using Sluice.Connectors.Log;
using Sluice.Formats;
using Sluice.Log;
using Spectre.Console;

namespace Sluice.Cli.Dlq;

/// <summary>
/// <c>sluice dlq list|show|stats|replay</c>: the dead-letter queues (<c>&lt;source&gt;.dlq</c> topics) of the embedded
/// log of <c>--data-dir</c>, or of a running server with <c>--server URL [--token T]</c>; both through the one
/// <see cref="DeadLetterQueue"/> (docs/dead-letters.md). Selections: <c>--reason</c>, <c>--kind</c>, <c>--rule</c>,
/// <c>--from</c>/<c>--to</c> (when dead-lettered), <c>--max</c>. Replay is idempotent and has <c>--dry-run</c>.
/// Failures print one sentence naming the topic, partition or offset, and exit 1.
/// </summary>
internal static class DlqCommand
{
    private const int DefaultShowMax = 20;

    public static Command Create()
    {
        var dataDir = ServerApi.LocalDataDirectoryOption();
        var server = new Option<string?>("--server") { Description = "Go through this Sluice server's REST API instead of opening the log (e.g. http://127.0.0.1:8081).", Recursive = true };
        var token = new Option<string?>("--token") { Description = $"The server's API token (default: ${ServerApi.TokenVariable}); replay needs it.", Recursive = true };
        ServerApi.ValidateServerUrl(server);
        var dlq = new Command("dlq", "Dead-letter queues: list them, show and count their records, replay records after a fix.") { dataDir, server, token };

        DeadLetterBackend Open(ParseResult parse, bool readOnly)
        {
            if (parse.GetValue(server) is { } url)
            {
                return new DeadLetterBackend.Remote(new ServerApi(new Uri(url), parse.GetValue(token) ?? Environment.GetEnvironmentVariable(ServerApi.TokenVariable)));
            }
            var directory = parse.GetValue(dataDir) ?? LogCommands.DefaultDataDirectory;
            var full = DataDirectories.RequireExisting(directory, "log data directory");
            try
            {
                return new DeadLetterBackend.Local(PartitionedLog.Open(full, new LogOptions
                {
                    MaintenanceInterval = null,
                    ReadOnly = readOnly,
                    Logger = CommandLineHost.LoggerFactory(parse).CreateLogger("Sluice.Log"),
                }));
            }
            catch (UnauthorizedAccessException e)
            {
                throw new CommandFailedException($"The log data directory '{directory}' is not writable ({e.Message.TrimEnd('.')}): the log needs to lock it, even to read.", e);
            }
        }

        dlq.Subcommands.Add(CreateList(Open));
        dlq.Subcommands.Add(CreateShow(Open));
        dlq.Subcommands.Add(CreateStats(Open));
        dlq.Subcommands.Add(CreateReplay(Open));
        return dlq;
    }

    private static Command CreateList(Func<ParseResult, bool, DeadLetterBackend> open)
    {
        var command = new Command("list", "List the dead-letter topics with their record counts by kind, rule and reason.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var backend = open(parse, true);
            var list = await backend.ListAsync(cancellationToken).ConfigureAwait(false);
            if (list.Topics.Count == 0)
            {
                Console.WriteLine("No dead-letter topics.");
                return 0;
            }
            var table = new Table().AddColumns("topic", "meant for", "records", "by kind", "by rule", "top reasons");
            foreach (var topic in list.Topics)
            {
                table.AddRow(Cells(
                    topic.Topic,
                    topic.OriginTopic,
                    Number(topic.Records) + (topic.ReasonsComplete ? "" : " (counts cover the oldest)"),
                    string.Join(", ", topic.Kinds.Select(k => $"{k.Name} {Number(k.Count)}")),
                    string.Join(", ", topic.Rules.Select(k => $"{k.Name} {Number(k.Count)}")),
                    string.Join(Environment.NewLine, topic.Reasons.Take(3).Select(r => $"{Number(r.Count)} × {r.Reason}"))));
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command CreateShow(Func<ParseResult, bool, DeadLetterBackend> open)
    {
        var topic = TopicArgument();
        var filters = new FilterOptions(endIsTo: true);
        var max = new Option<int>("--max") { Description = $"Show at most this many records (default {DefaultShowMax}).", DefaultValueFactory = _ => DefaultShowMax }.MustBeAtLeast(1);
        var json = new Option<bool>("--json") { Description = "Print one JSON object per record (every envelope field) instead of a table." };
        var command = new Command("show", "Show dead letters, filtered by reason, kind, rule and time.") { topic, max, json };
        filters.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var backend = open(parse, true);
            var (records, more) = await backend.SelectAsync(parse.GetValue(topic)!, filters.Filter(parse), parse.GetValue(max), cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                foreach (var record in records)
                {
                    Console.WriteLine(JsonSerializer.Serialize(record, JsonSerializerOptions.Web));
                }
                return 0;
            }
            if (records.Count == 0)
            {
                Console.WriteLine("No dead letters match.");
                return 0;
            }
            var table = new Table().AddColumns("position", "dead-lettered", "kind", "rule", "reason", "from", "payload");
            foreach (var record in records)
            {
                table.AddRow(Cells(
                    $"{record.Partition}:{record.Offset}",
                    Time(record.Time),
                    record.Attempt > 1 ? $"{record.Kind} (attempt {record.Attempt})" : record.Kind,
                    record.Rule ?? "",
                    record.Reason,
                    record.OriginPartition is { } p ? $"{record.OriginTopic}/{p}/{record.OriginOffset}" : record.Location is { } location ? $"{record.OriginTopic} {location}" : record.OriginTopic,
                    Shorten(record.Payload ?? "", 60)));
            }
            AnsiConsole.Write(table);
            if (more)
            {
                Console.WriteLine($"More records match: raise --max (now {parse.GetValue(max)}) or narrow the filter.");
            }
            return 0;
        });
        return command;
    }

    private static Command CreateStats(Func<ParseResult, bool, DeadLetterBackend> open)
    {
        var topic = TopicArgument();
        var filters = new FilterOptions(endIsTo: true);
        var json = new Option<bool>("--json") { Description = "Print the counts as one JSON object." };
        var command = new Command("stats", "Count dead letters by reason, rule, kind and hour.") { topic, json };
        filters.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var backend = open(parse, true);
            var stats = await backend.StatsAsync(parse.GetValue(topic)!, filters.Filter(parse), cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(stats, JsonSerializerOptions.Web));
                return 0;
            }
            Console.WriteLine($"{stats.Topic}: {Number(stats.Records)} dead letter{(stats.Records == 1 ? "" : "s")} selected{(stats.Complete ? "" : $" (only the oldest {Number(DeadLetterQueue.MaxScannedRecords)} records were read)")}.");
            Print("kind", stats.Kinds);
            Print("rule", stats.Rules);
            Print("reason", [.. stats.Reasons.Select(r => new DeadLetterCount(r.Reason, r.Count))]);
            Print("hour (UTC)", stats.Hours);
            return 0;
        });
        return command;

        static void Print(string dimension, IReadOnlyList<DeadLetterCount> counts)
        {
            if (counts.Count == 0)
            {
                return;
            }
            var table = new Table().AddColumns(dimension, "records");
            foreach (var count in counts)
            {
                table.AddRow(Cells(count.Name, Number(count.Count)));
            }
            AnsiConsole.Write(table);
        }
    }

    private static Command CreateReplay(Func<ParseResult, bool, DeadLetterBackend> open)
    {
        var topic = TopicArgument();
        var filters = new FilterOptions(endIsTo: false);
        var offsets = new Option<string?>("--offsets") { Description = "Replay exactly these dead letters: partition:offset, comma-separated (0:5,0:7)." };
        var all = new Option<bool>("--all") { Description = "Replay every dead letter of the topic (without a filter or --offsets, replay refuses)." };
        var max = new Option<int?>("--max") { Description = "Replay at most this many of the selected records." }.MustBeAtLeast(1);
        var to = new Option<string?>("--to") { Description = "Append to this topic instead of each record's origin topic." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be appended; append nothing." };
        var command = new Command("replay", "Append selected dead letters back to their origin topic (or --to), each once: a record replayed before is skipped.")
        {
            topic, offsets, all, max, to, dryRun,
        };
        filters.AddTo(command);
        command.Validators.Add(r =>
        {
            var filtered = filters.IsSet(r);
            if (r.GetValue(offsets) is not null && (filtered || r.GetValue(all)))
            {
                r.AddError("Give either --offsets or a selection (--reason, --kind, --rule, --from, --until, --all), not both.");
            }
            else if (r.GetValue(offsets) is null && !filtered && !r.GetValue(all))
            {
                r.AddError("Say what to replay: --offsets p:o,..., a filter (--reason, --kind, --rule, --from, --until), or --all.");
            }
            if (r.GetValue(offsets) is { } text && !TryParsePositions(text, out _, out var error))
            {
                r.AddError(error);
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(topic)!;
            var dry = parse.GetValue(dryRun);
            using var backend = open(parse, dry);
            IReadOnlyList<DeadLetterPosition> positions;
            if (parse.GetValue(offsets) is { } text)
            {
                TryParsePositions(text, out var parsed, out _);
                positions = parsed;
            }
            else
            {
                var (records, _) = await backend.SelectAsync(name, filters.Filter(parse), parse.GetValue(max) ?? int.MaxValue, cancellationToken).ConfigureAwait(false);
                positions = [.. records.Select(r => new DeadLetterPosition(r.Partition, r.Offset))];
                if (positions.Count == 0)
                {
                    Console.WriteLine("No dead letters match: nothing to replay.");
                    return 0;
                }
            }
            var result = await backend.ReplayAsync(name, positions, parse.GetValue(to), dry, cancellationToken).ConfigureAwait(false);
            foreach (var r in result.Replayed)
            {
                var where = r.OriginPartition < 0 ? r.OriginTopic : $"{r.OriginTopic} partition {r.OriginPartition}";
                Console.WriteLine(r.AlreadyReplayed
                    ? $"{result.Topic} {r.Partition}:{r.Offset}: already replayed ({r.OriginTopic} partition {r.OriginPartition} offset {r.OriginOffset}); skipped."
                    : result.DryRun
                        ? $"{result.Topic} {r.Partition}:{r.Offset}: would append to {where} (attempt {r.Attempt})."
                        : $"{result.Topic} {r.Partition}:{r.Offset} → {r.OriginTopic} partition {r.OriginPartition} offset {r.OriginOffset} (attempt {r.Attempt}).");
            }
            Console.WriteLine(result.DryRun
                ? $"Dry run: would append {Plural(result.Appended)}; {Plural(result.AlreadyReplayed)} already replayed; nothing was appended."
                : $"Appended {Plural(result.Appended)}; {Plural(result.AlreadyReplayed)} already replayed, skipped.");
            return 0;
        });
        return command;
    }

    /// <summary>Parses <c>p:o,p:o</c>.</summary>
    internal static bool TryParsePositions(string text, out List<DeadLetterPosition> positions, out string error)
    {
        positions = [];
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0
                || !int.TryParse(part.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                || !long.TryParse(part.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                error = $"--offsets: '{part}' is not partition:offset (e.g. 0:17).";
                return false;
            }
            positions.Add(new DeadLetterPosition(partition, offset));
        }
        error = positions.Count == 0 ? "--offsets names no record: give partition:offset, e.g. 0:17." : "";
        return positions.Count > 0;
    }

    private static Argument<string> TopicArgument() => new("topic") { Description = "The dead-letter topic (orders.dlq) or the topic it serves (orders)." };

    private static string Plural(int n) => n == 1 ? "1 record" : $"{n.ToString(CultureInfo.InvariantCulture)} records";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Shorten(string text, int max)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= max ? line : string.Concat(line.AsSpan(0, max - 1), "…");
    }

    private static Markup[] Cells(params string[] values)
    {
        var cells = new Markup[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            cells[i] = new Markup(Markup.Escape(values[i]));
        }
        return cells;
    }

    /// <summary>The selection options of show, stats and replay.</summary>
    private sealed class FilterOptions
    {
        private readonly Option<string?> _reason = new("--reason") { Description = "Reason contains this text (ignoring case); a pattern with # from 'dlq list' matches reasons differing only in numbers." };
        private readonly Option<string?> _kind = new("--kind") { Description = "Kind: parse, schema, rule, sink, late or processing." };
        private readonly Option<string?> _rule = new("--rule") { Description = "The rule's name." };
        private readonly Option<string?> _from = new("--from") { Description = "Dead-lettered at or after this time: ISO 8601 (2026-12-06T07:00Z; UTC when no offset) or Unix milliseconds." };
        private readonly Option<string?> _to;

        /// <param name="endIsTo">True: the end of the time range is <c>--to</c> (alias <c>--until</c>); false (replay, whose <c>--to</c> is the target topic): <c>--until</c> only.</param>
        public FilterOptions(bool endIsTo)
        {
            _to = endIsTo
                ? new Option<string?>("--to", "--until") { Description = "Dead-lettered before this time (same forms as --from)." }
                : new Option<string?>("--until") { Description = "Dead-lettered before this time (same forms as --from)." };
            _kind.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<string?>() is { } text && !DeadLetterEnvelope.TryKind(text, out _))
                {
                    r.AddError($"--kind '{text}' is no dead-letter kind: give parse, schema, rule, sink, late or processing.");
                }
            });
            foreach (var option in new[] { _from, _to })
            {
                option.Validators.Add(r =>
                {
                    if (r.GetValueOrDefault<string?>() is { } text && ParseTime(text) is null)
                    {
                        r.AddError($"{option.Name} '{text}' is not a time: give ISO 8601 (2026-12-06T07:00Z) or Unix milliseconds.");
                    }
                });
            }
        }

        public void AddTo(Command command)
        {
            command.Options.Add(_reason);
            command.Options.Add(_kind);
            command.Options.Add(_rule);
            command.Options.Add(_from);
            command.Options.Add(_to);
        }

        public bool IsSet(System.CommandLine.Parsing.CommandResult r) =>
            r.GetValue(_reason) is not null || r.GetValue(_kind) is not null || r.GetValue(_rule) is not null || r.GetValue(_from) is not null || r.GetValue(_to) is not null;

        public DeadLetterFilter Filter(ParseResult parse) => new()
        {
            Reason = parse.GetValue(_reason),
            Kind = parse.GetValue(_kind) is { } kind && DeadLetterEnvelope.TryKind(kind, out var k) ? k : null,
            Rule = parse.GetValue(_rule),
            FromMs = parse.GetValue(_from) is { } from ? ParseTime(from) : null,
            ToMs = parse.GetValue(_to) is { } to ? ParseTime(to) : null,
        };

        private static long? ParseTime(string text) =>
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time.ToUnixTimeMilliseconds()
            : null;
    }
}
