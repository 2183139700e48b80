using System.CommandLine;
using System.Globalization;
using Sluice.Log;
using Spectre.Console;

namespace Sluice.Cli.Log;

/// <summary>
/// <c>sluice log groups [--group G]</c> shows committed offset, end and lag per partition (read-only), flagging a
/// group committed past a partition's end; <c>sluice log groups reset &lt;group&gt; --topic T
/// --to-earliest|--to-latest|--to-offset N|--to-time T [--partition P]</c> moves it.
/// </summary>
internal static class GroupsCommand
{
    public static Command Create()
    {
        var group = new Option<string?>("--group") { Description = "Only this group." }.MustSatisfy(g => !string.IsNullOrWhiteSpace(g), "must name a group");
        var groups = new Command("groups", "Show consumer groups: committed offset, end offset and lag per partition; 'reset' moves a group.") { group };
        groups.SetAction(r => LogCommands.Run(
            r,
            log =>
            {
                var table = new Table().AddColumns("group", "topic", "partition", "committed", "end", "lag", "state");
                IEnumerable<string> names = r.GetValue(group) is { } only ? [only] : log.Groups.ListGroups();
                var pastEnd = new List<GroupPartitionLag>();
                foreach (string name in names)
                {
                    foreach (GroupPartitionLag lag in log.DescribeGroup(name))
                    {
                        string state = lag.IsPastEnd ? "past end" : "ok";
                        table.AddRow(LogCommands.Cells(lag.Group, lag.Topic, lag.Partition, lag.Committed?.ToString(CultureInfo.InvariantCulture) ?? "-", lag.EndOffset, lag.Lag, state));
                        if (lag.IsPastEnd)
                        {
                            pastEnd.Add(lag);
                        }
                    }
                }

                AnsiConsole.Write(table);
                foreach (GroupPartitionLag lag in pastEnd)
                {
                    Console.Error.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"warning: group '{lag.Group}' committed offset {lag.Committed} on topic '{lag.Topic}' partition {lag.Partition}, past its end {lag.EndOffset} (the partition lost records it had acknowledged); "
                        + $"it reads nothing there until reset: sluice log groups reset {lag.Group} --topic {lag.Topic} --partition {lag.Partition} --to-latest"));
                }

                return 0;
            },
            readOnly: true));
        groups.Subcommands.Add(CreateReset());
        return groups;
    }

    private static Command CreateReset()
    {
        var group = new Argument<string>("group") { Description = "Consumer group to move." };
        var topic = new Option<string>("--topic") { Description = "Topic whose offsets to move.", Required = true };
        var partition = new Option<int?>("--partition") { Description = "Only this partition (default: all of the topic's)." }.MustBeAtLeast(0);
        var earliest = new Option<bool>("--to-earliest") { Description = "To each partition's first stored offset." };
        var latest = new Option<bool>("--to-latest") { Description = "To each partition's end (skip everything stored)." };
        var offset = new Option<long?>("--to-offset") { Description = "To this offset (clamped to each partition's start..end)." }.MustBeAtLeast(0);
        var time = new Option<string?>("--to-time") { Description = "To the first record at or after this time: ISO 8601 (2026-12-05T10:00:00Z) or Unix milliseconds." }
            .MustSatisfy(t => t is null || TryParseTime(t, out _), "must be an ISO 8601 time (2026-12-05T10:00:00Z) or Unix milliseconds");
        var reset = new Command("reset", "Move a consumer group's committed offsets on a topic.") { group, topic, partition, earliest, latest, offset, time };
        reset.Validators.Add(result =>
        {
            int targets = (result.GetValue(earliest) ? 1 : 0) + (result.GetValue(latest) ? 1 : 0)
                + (result.GetValue(offset) is null ? 0 : 1) + (result.GetValue(time) is null ? 0 : 1);
            if (targets != 1)
            {
                result.AddError("Give exactly one of --to-earliest, --to-latest, --to-offset N and --to-time T.");
            }
        });
        reset.SetAction(r => LogCommands.Run(r, log =>
        {
            string g = r.GetValue(group)!;
            string t = r.GetValue(topic)!;
            int? only = r.GetValue(partition);
            TopicLog topicLog = log.GetTopic(t);
            LogCommands.RequirePartition(topicLog, only);

            (OffsetResetKind kind, long value) = r.GetValue(earliest) ? (OffsetResetKind.Earliest, 0L)
                : r.GetValue(latest) ? (OffsetResetKind.Latest, 0L)
                : r.GetValue(offset) is { } o ? (OffsetResetKind.Offset, o)
                : (OffsetResetKind.Timestamp, ParseTime(r.GetValue(time)!));
            foreach (TopicPartitionOffset moved in log.ResetGroupOffsets(g, t, kind, value, only))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"group '{g}' topic '{t}' partition {moved.Partition}: committed offset is now {moved.Offset}"));
            }

            return 0;
        },
        readOnly: true));
        return reset;
    }

    private static long ParseTime(string text) => TryParseTime(text, out long ms) ? ms : throw new CommandFailedException($"--to-time '{text}' is not a time.");

    private static bool TryParseTime(string text, out long unixMs)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out unixMs))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
        {
            unixMs = at.ToUnixTimeMilliseconds();
            return true;
        }

        return false;
    }
}
