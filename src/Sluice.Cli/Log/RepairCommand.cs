using System.CommandLine;
using System.Globalization;
using Sluice.Log;

namespace Sluice.Cli.Log;

/// <summary>
/// <c>sluice log repair &lt;topic&gt; [--partition P]</c>: moves every damaged byte range of the topic's segments into a
/// quarantine file beside the segment and leaves a gap marker in its place (see <see cref="PartitionLog.Repair"/>):
/// every intact record before and after stays, offsets stay stable and are never reused. Prints what it moved.
/// </summary>
internal static class RepairCommand
{
    public static Command Create()
    {
        var topic = new Argument<string>("topic") { Description = "Topic to repair." };
        var partition = new Option<int?>("--partition") { Description = "Only this partition (default: all)." }.MustBeAtLeast(0);
        var repair = new Command("repair", "Move damaged data out of a topic's segments into quarantine files; intact records and offsets stay.") { topic, partition };
        repair.SetAction(r => LogCommands.Run(r, log =>
        {
            string name = r.GetValue(topic)!;
            int? only = r.GetValue(partition);
            TopicLog t = log.GetTopic(name);
            LogCommands.RequirePartition(t, only);

            IReadOnlyList<QuarantinedRange> moved = log.Repair(name, only);
            foreach (QuarantinedRange q in moved)
            {
                Console.WriteLine($"moved: partition {q.Damage.Partition}: {q.Damage} → '{q.QuarantineFile}'");
            }

            long offsets = moved.Where(q => q.Damage.HoldsOffsets).Sum(q => q.Damage.LastOffset - q.Damage.FirstOffset + 1);
            string scope = only is { } one ? string.Create(CultureInfo.InvariantCulture, $"partition {one} of topic '{name}'") : $"topic '{name}'";
            Console.WriteLine(moved.Count == 0
                ? $"No damage found in {scope}."
                : string.Create(CultureInfo.InvariantCulture, $"Repaired {scope}: {moved.Count} damaged range(s) moved to quarantine; {offsets} offset(s) are now gaps that readers skip; every other record is intact."));
            return 0;
        }));
        return repair;
    }
}
