using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Sluice.Log;
using Spectre.Console;

namespace Sluice.Cli.Log;

/// <summary>
/// <c>sluice log …</c>: manage and use the embedded log. Every subcommand takes <c>--data-dir</c>
/// (default <c>./.sluice-data/log</c>); the directory is locked while a command runs. Only <c>topics create</c> creates
/// a missing data directory: every other subcommand fails with "The log data directory '…' does not exist." so a
/// mistyped path never leaves an empty log behind. Failures propagate to the top-level handler (<see cref="Program"/>).
/// </summary>
internal static class LogCommands
{
    /// <summary>Default data directory of the embedded log, relative to the working directory.</summary>
    public const string DefaultDataDirectory = "./.sluice-data/log";

    private static readonly Option<string> s_dataDir = new("--data-dir")
    {
        Description = $"Data directory of the embedded log (default {DefaultDataDirectory}).",
        DefaultValueFactory = _ => DefaultDataDirectory,
        Recursive = true,
    };

    /// <summary>Builds the <c>log</c> command tree.</summary>
    public static Command Create()
    {
        var log = new Command("log", "Embedded durable log: topics, produce, consume, consumer groups.");
        log.Options.Add(s_dataDir);
        log.Subcommands.Add(CreateTopics());
        log.Subcommands.Add(CreateProduce());
        log.Subcommands.Add(CreateConsume());
        log.Subcommands.Add(CreateGroups());
        return log;
    }

    /// <summary>
    /// Opens the log in <c>--data-dir</c>. With <paramref name="createDirectory"/> false (every subcommand but
    /// <c>topics create</c>) a missing directory is an error and nothing is created.
    /// </summary>
    /// <exception cref="CommandFailedException">The directory is a file, missing (unless created), or not writable.</exception>
    private static PartitionedLog Open(ParseResult result, bool createDirectory)
    {
        const string Description = "log data directory";
        string directory = result.GetValue(s_dataDir) ?? DefaultDataDirectory;
        string full = createDirectory ? DataDirectories.CreateWritable(directory, Description) : DataDirectories.RequireExisting(directory, Description);
        try
        {
            return PartitionedLog.Open(full, new LogOptions { MaintenanceInterval = null });
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CommandFailedException($"The {Description} '{directory}' is not writable ({e.Message.TrimEnd('.')}): the log needs to lock it, even to read.", e);
        }
    }

    /// <summary>Runs <paramref name="action"/> on the open log and closes it; exceptions go to the top-level handler.</summary>
    private static int Run(ParseResult result, Func<PartitionedLog, int> action, bool createDirectory = false)
    {
        using PartitionedLog log = Open(result, createDirectory);
        return action(log);
    }

    private static Command CreateTopics()
    {
        var topics = new Command("topics", "Create, list, describe and delete topics.");
        var name = new Argument<string>("topic") { Description = "Topic name ([a-zA-Z0-9._-], at most 249 characters)." };
        var partitions = new Option<int>("--partitions") { Description = "Number of partitions (1 to 100000).", DefaultValueFactory = _ => 1 }.MustBeBetween(1, 100_000);
        var compact = new Option<bool>("--compact") { Description = "Keep only the last value per key (changelogs, registries)." };
        var retentionHours = new Option<double?>("--retention-hours") { Description = "Delete closed segments older than this (0 to 1000000; default 168; 0 = keep forever)." }
            .MustBeBetween(0, 1_000_000);
        var retentionBytes = new Option<long?>("--retention-bytes") { Description = "Maximum bytes per partition before old segments are deleted (at least 1; default unbounded)." }
            .MustBeAtLeast(1);
        var segmentBytes = new Option<long?>("--segment-bytes") { Description = "Segment file size before rolling (1024 to 2147483647; default 128 MiB)." }
            .MustBeBetween(1024, int.MaxValue);

        var create = new Command("create", "Create a topic.") { name, partitions, compact, retentionHours, retentionBytes, segmentBytes };
        create.SetAction(r => Run(r, log =>
        {
            var config = new TopicConfig
            {
                Partitions = r.GetValue(partitions),
                CleanupPolicy = r.GetValue(compact) ? CleanupPolicy.Compact : CleanupPolicy.Delete,
                RetentionBytes = r.GetValue(retentionBytes),
            };
            if (r.GetValue(retentionHours) is { } hours)
            {
                config = config with { RetentionTime = hours <= 0 ? null : TimeSpan.FromHours(hours) };
            }

            if (r.GetValue(segmentBytes) is { } bytes)
            {
                config = config with { SegmentBytes = bytes };
            }

            TopicLog topic = log.CreateTopic(r.GetValue(name)!, config);
            Console.WriteLine($"Created topic '{topic.Name}' with {topic.PartitionCount} partition(s).");
            return 0;
        }, createDirectory: true));

        var list = new Command("list", "List topics.");
        list.SetAction(r => Run(r, log =>
        {
            foreach (TopicLog t in log.ListTopics())
            {
                Console.WriteLine(t.Name);
            }

            return 0;
        }));

        var describeName = new Argument<string>("topic") { Description = "Topic name." };
        var describe = new Command("describe", "Show a topic's configuration and per-partition offsets.") { describeName };
        describe.SetAction(r => Run(r, log =>
        {
            TopicLog t = log.GetTopic(r.GetValue(describeName)!);
            AnsiConsole.MarkupLine(
                $"[bold]{Markup.Escape(t.Name)}[/] partitions={t.PartitionCount} cleanup={t.Config.CleanupPolicy} "
                + $"retention={(t.Config.RetentionTime?.ToString() ?? "forever")} retention.bytes={(t.Config.RetentionBytes?.ToString(CultureInfo.InvariantCulture) ?? "unbounded")} segment.bytes={t.Config.SegmentBytes}");
            var table = new Table().AddColumns("partition", "start", "end", "stable", "segments", "bytes");
            foreach (PartitionLog p in t.Partitions)
            {
                table.AddRow(Cells(p.Partition, p.LogStartOffset, p.EndOffset, p.LastStableOffset, p.SegmentCount, p.SizeInBytes));
            }

            AnsiConsole.Write(table);
            return 0;
        }));

        var deleteName = new Argument<string>("topic") { Description = "Topic name." };
        var delete = new Command("delete", "Delete a topic and its data.") { deleteName };
        delete.SetAction(r => Run(r, log =>
        {
            string topic = r.GetValue(deleteName)!;
            if (!log.DeleteTopic(topic))
            {
                Console.Error.WriteLine($"error: topic '{topic}' does not exist.");
                return 1;
            }

            Console.WriteLine($"Deleted topic '{topic}'.");
            return 0;
        }));

        topics.Subcommands.Add(create);
        topics.Subcommands.Add(list);
        topics.Subcommands.Add(describe);
        topics.Subcommands.Add(delete);
        return topics;
    }

    private static Command CreateProduce()
    {
        var topic = new Argument<string>("topic") { Description = "Topic to append to." };
        var keyField = new Option<string?>("--key-field") { Description = "Top-level JSON field whose value is the record key (partitioned like Kafka); no key when absent." }
            .MustSatisfy(k => k is { Length: > 0 }, "must name a field");
        var file = new Option<FileInfo?>("--file") { Description = "Read JSON lines from this file instead of stdin." }
            .MustSatisfy(f => f is { Exists: true }, "must name an existing file");
        var skipBad = new Option<bool>("--skip-malformed") { Description = "Report malformed lines and continue (default: stop at the first one; earlier lines stay written)." };
        var produce = new Command("produce", "Append JSON lines (one record per line) from stdin or a file.") { topic, keyField, file, skipBad };
        produce.SetAction(r => Run(r, log =>
        {
            TopicLog t = log.GetTopic(r.GetValue(topic)!);
            using Stream input = r.GetValue(file) is { } f ? f.OpenRead() : Console.OpenStandardInput();
            var producer = new JsonLinesProducer(t, r.GetValue(keyField), r.GetValue(skipBad));
            return producer.Run(input);
        }));
        return produce;
    }

    private static Command CreateConsume()
    {
        var topic = new Argument<string>("topic") { Description = "Topic to read." };
        var group = new Option<string?>("--group") { Description = "Consumer group: start at its committed offsets and commit after printing." }
            .MustSatisfy(g => !string.IsNullOrWhiteSpace(g), "must name a group");
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Without a committed offset, start at the earliest record (default: only new records)." };
        var max = new Option<int?>("--max") { Description = "Stop after this many records (at least 1)." }.MustBeAtLeast(1);
        var uncommitted = new Option<bool>("--read-uncommitted") { Description = "Also show records of open and aborted transactions." };
        var consume = new Command("consume", "Print record values (one per line) from all partitions, then exit at the end of the data.")
        {
            topic, group, fromBeginning, max, uncommitted,
        };
        consume.SetAction(r => Run(r, log =>
        {
            TopicLog t = log.GetTopic(r.GetValue(topic)!);
            string? g = r.GetValue(group);
            int remaining = r.GetValue(max) ?? int.MaxValue;
            var isolation = r.GetValue(uncommitted) ? IsolationLevel.ReadUncommitted : IsolationLevel.ReadCommitted;
            var commits = new List<TopicPartitionOffset>();
            using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
            using var result = new FetchResult();
            foreach (PartitionLog p in t.Partitions)
            {
                long? committed = g is null ? null : log.Groups.GetCommittedOffset(g, t.Name, p.Partition);
                long offset = Math.Max(committed ?? (r.GetValue(fromBeginning) ? p.LogStartOffset : p.EndOffset), p.LogStartOffset);
                while (remaining > 0)
                {
                    p.Fetch(offset, new FetchOptions(Math.Min(remaining, 10_000), Isolation: isolation), result);
                    foreach (LogRecordView record in result)
                    {
                        stdout.WriteLine(Encoding.UTF8.GetString(record.Value));
                    }

                    remaining -= result.RecordCount;
                    if (result.NextOffset == offset)
                    {
                        break;
                    }

                    offset = result.NextOffset;
                }

                commits.Add(new TopicPartitionOffset(t.Name, p.Partition, offset));
            }

            stdout.Flush();
            if (g is not null)
            {
                log.Groups.Commit(g, commits);
            }

            return 0;
        }));
        return consume;
    }

    private static Command CreateGroups()
    {
        var group = new Option<string?>("--group") { Description = "Only this group." }.MustSatisfy(g => !string.IsNullOrWhiteSpace(g), "must name a group");
        var groups = new Command("groups", "Show consumer groups: committed offset, end offset and lag per partition.") { group };
        groups.SetAction(r => Run(r, log =>
        {
            var table = new Table().AddColumns("group", "topic", "partition", "committed", "end", "lag");
            IEnumerable<string> names = r.GetValue(group) is { } only ? [only] : log.Groups.ListGroups();
            foreach (string name in names)
            {
                foreach (GroupPartitionLag lag in log.DescribeGroup(name))
                {
                    table.AddRow(Cells(lag.Group, lag.Topic, lag.Partition, lag.Committed?.ToString(CultureInfo.InvariantCulture) ?? "-", lag.EndOffset, lag.Lag));
                }
            }

            AnsiConsole.Write(table);
            return 0;
        }));
        return groups;
    }

    private static string[] Cells(params object[] values) =>
        Array.ConvertAll(values, v => Markup.Escape(Convert.ToString(v, CultureInfo.InvariantCulture) ?? ""));
}
