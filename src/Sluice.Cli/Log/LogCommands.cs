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
        log.Subcommands.Add(ConsumeCommand.Create());
        log.Subcommands.Add(GroupsCommand.Create());
        log.Subcommands.Add(RepairCommand.Create());
        return log;
    }

    /// <summary>
    /// Opens the log in <c>--data-dir</c>. With <paramref name="createDirectory"/> false (every subcommand but
    /// <c>topics create</c>) a missing directory is an error and nothing is created. Read-only opens
    /// (<see cref="LogOptions.ReadOnly"/>) change no log file: commands that only read use them. What the log reports on
    /// open (damage found, a torn tail moved to quarantine) is printed on stderr.
    /// </summary>
    /// <exception cref="CommandFailedException">The directory is a file, missing (unless created), or not writable.</exception>
    internal static PartitionedLog Open(ParseResult result, bool createDirectory, bool readOnly, bool verify = false)
    {
        const string Description = "log data directory";
        string directory = result.GetValue(s_dataDir) ?? DefaultDataDirectory;
        string full = createDirectory ? DataDirectories.CreateWritable(directory, Description) : DataDirectories.RequireExisting(directory, Description);
        try
        {
            return PartitionedLog.Open(full, new LogOptions { MaintenanceInterval = null, ReadOnly = readOnly, VerifyAllSegmentsOnOpen = verify, Logger = CommandLineHost.LoggerFactory(result).CreateLogger("Sluice.Log") });
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CommandFailedException($"The {Description} '{directory}' is not writable ({e.Message.TrimEnd('.')}): the log needs to lock it, even to read.", e);
        }
    }

    /// <summary>Runs <paramref name="action"/> on the open log and closes it; exceptions go to the top-level handler.</summary>
    internal static int Run(ParseResult result, Func<PartitionedLog, int> action, bool createDirectory = false, bool readOnly = false, bool verify = false)
    {
        using PartitionedLog log = Open(result, createDirectory, readOnly, verify);
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
        list.SetAction(r => Run(
            r,
            log =>
            {
                foreach (TopicLog t in log.ListTopics())
                {
                    Console.WriteLine(t.Name);
                }

                return 0;
            },
            readOnly: true));

        var describeName = new Argument<string>("topic") { Description = "Topic name." };
        var verify = new Option<bool>("--verify") { Description = "Check the CRC of every batch of every segment (reads the whole topic), not only the active segments." };
        var describe = new Command("describe", "Show a topic's configuration, per-partition offsets, damage found and what was moved to quarantine.") { describeName, verify };
        describe.SetAction(r => Run(r, log => Describe(log.GetTopic(r.GetValue(describeName)!)), readOnly: true, verify: r.GetValue(verify)));

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

    private static int Describe(TopicLog t)
    {
        AnsiConsole.MarkupLine(
            $"[bold]{Markup.Escape(t.Name)}[/] partitions={t.PartitionCount} cleanup={t.Config.CleanupPolicy} "
            + $"retention={(t.Config.RetentionTime?.ToString() ?? "forever")} retention.bytes={(t.Config.RetentionBytes?.ToString(CultureInfo.InvariantCulture) ?? "unbounded")} segment.bytes={t.Config.SegmentBytes}");
        var table = new Table().AddColumns("partition", "start", "end", "stable", "segments", "bytes", "damage", "quarantined");
        var damage = new List<LogDamage>();
        var quarantined = new List<QuarantinedRange>();
        foreach (PartitionLog p in t.Partitions)
        {
            IReadOnlyList<LogDamage> found = p.KnownDamage;
            IReadOnlyList<QuarantinedRange> moved = p.ListQuarantined();
            damage.AddRange(found);
            quarantined.AddRange(moved);
            table.AddRow(Cells(p.Partition, p.LogStartOffset, p.EndOffset, p.LastStableOffset, p.SegmentCount, p.SizeInBytes, found.Count, moved.Count));
        }

        AnsiConsole.Write(table);
        foreach (LogDamage d in damage)
        {
            Console.WriteLine($"damage: partition {d.Partition}: {d}. Fix: sluice log repair {t.Name} --partition {d.Partition}");
        }

        foreach (QuarantinedRange q in quarantined)
        {
            string how = q.ByRepair ? "moved by repair" : "torn tail cut on open after an unclean shutdown";
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"quarantined: partition {q.Damage.Partition}: {q.Damage} — {how} at {q.MovedAt:u}, bytes kept in '{q.QuarantineFile}'"));
        }

        return 0;
    }

    /// <summary>Fails in one sentence when <c>--partition</c> names a partition the topic does not have.</summary>
    internal static void RequirePartition(TopicLog topic, int? partition)
    {
        if (partition is { } p && p >= topic.PartitionCount)
        {
            throw new CommandFailedException($"Topic '{topic.Name}' has partitions 0..{topic.PartitionCount - 1}; --partition {p} does not exist.");
        }
    }

    internal static string[] Cells(params object[] values) =>
        Array.ConvertAll(values, v => Markup.Escape(Convert.ToString(v, CultureInfo.InvariantCulture) ?? ""));
}
