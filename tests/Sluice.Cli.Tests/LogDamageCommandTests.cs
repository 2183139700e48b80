using System.Diagnostics;
using System.Text;
using Sluice.Log;

namespace Sluice.Cli.Tests;

/// <summary>The log commands a user reaches for when data is damaged or a group is wrong: consume (commits only what
/// was printed), topics describe --verify, repair, groups reset.</summary>
public sealed class LogDamageCommandTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "sluice-cli-damage-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    private static string Value(long i) => $"{{\"i\":{i},\"pad\":\"{new string('x', (int)(i % 30))}\"}}";

    /// <summary>Writes <paramref name="count"/> records (one batch each when <paramref name="batchOfOne"/>) with
    /// timestamps 1_000_000 + i, and closes the log cleanly.</summary>
    private void Write(string topic, int count, long segmentBytes = 128L * 1024 * 1024, bool batchOfOne = false)
    {
        using var log = PartitionedLog.Open(_dataDir, new LogOptions { MaintenanceInterval = null, FlushPolicy = FlushPolicy.OperatingSystem });
        PartitionLog p = log.CreateTopic(topic, new TopicConfig { SegmentBytes = segmentBytes }).GetPartition(0);
        using var batch = new RecordBatchBuilder();
        for (int i = 0; i < count; i++)
        {
            batch.AddWithoutKey(Encoding.UTF8.GetBytes(Value(i)), 1_000_000 + i);
            if (batchOfOne || batch.Count == 1000 || i == count - 1)
            {
                p.Append(batch);
                batch.Clear();
            }
        }
    }

    private long? Committed(string group, string topic)
    {
        using var log = PartitionedLog.Open(_dataDir, new LogOptions { MaintenanceInterval = null, ReadOnly = true });
        return log.Groups.GetCommittedOffset(group, topic, 0);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Consume_PipedIntoHeadTwo_CommitsAtMostTwo()
    {
        Write("big", 50_000);
        string dll = Path.Combine(AppContext.BaseDirectory, "sluice.dll");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"dotnet '{dll}' log consume big --group gh --from-beginning --data-dir '{_dataDir}' | head -n 2");
        using var process = Process.Start(info)!;
        string stdout = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit(TimeSpan.FromSeconds(120)).ShouldBeTrue();

        Lines(stdout).ShouldBe([Value(0), Value(1)]);
        long? committed = Committed("gh", "big");
        (committed is null || committed <= 2).ShouldBeTrue($"the group committed {committed} although the reader took 2 lines");
    }

    [Fact]
    public void Consume_WholeTopic_CommitsTheEndAndPrintsValuesByteForByte()
    {
        Write("t", 300);

        var consumed = CliProcess.Run(null, "log", "consume", "t", "--group", "g", "--from-beginning", "--data-dir", _dataDir);

        consumed.ExitCode.ShouldBe(0, consumed.Stderr);
        Lines(consumed.Stdout).ShouldBe(Enumerable.Range(0, 300).Select(i => Value(i)));
        Committed("g", "t").ShouldBe(300);
    }

    [Fact]
    public void ConsumeRepairDescribe_DamagedClosedSegment_IntactRecordsFirstThenTheErrorThenRepairRecoversTheRest()
    {
        Write("t", 200, segmentBytes: 1024, batchOfOne: true);
        string partitionDir = Path.Combine(_dataDir, "topics", "t", "0");
        string victim = Directory.GetFiles(partitionDir, "*.log").Order(StringComparer.Ordinal).ElementAt(1);
        byte[] bytes = File.ReadAllBytes(victim);
        bytes[bytes.Length / 2] ^= 0x04;
        File.WriteAllBytes(victim, bytes);

        var first = CliProcess.Run(null, "log", "consume", "t", "--group", "g", "--from-beginning", "--data-dir", _dataDir);
        first.ExitCode.ShouldBe(1);
        first.Stderr.ShouldContain(Path.GetFileName(victim));
        first.Stderr.ShouldContain("sluice log repair t --partition 0");
        first.Stderr.ShouldNotContain("   at ");
        string[] before = Lines(first.Stdout);
        before.Length.ShouldBeGreaterThan(0);
        before.ShouldBe(Enumerable.Range(0, before.Length).Select(i => Value(i)));
        Committed("g", "t").ShouldBe(before.Length);

        var describe = CliProcess.Run(null, "log", "topics", "describe", "t", "--verify", "--data-dir", _dataDir);
        describe.ExitCode.ShouldBe(0, describe.Stderr);
        describe.Stdout.ShouldContain($"damage: partition 0: '{victim}'");

        var repair = CliProcess.Run(null, "log", "repair", "t", "--data-dir", _dataDir);
        repair.ExitCode.ShouldBe(0, repair.Stderr);
        repair.Stdout.ShouldContain($"moved: partition 0: '{victim}'");
        repair.Stdout.ShouldContain("Repaired topic 't': 1 damaged range(s) moved to quarantine; 1 offset(s) are now gaps");

        var rest = CliProcess.Run(null, "log", "consume", "t", "--group", "g", "--data-dir", _dataDir);
        rest.ExitCode.ShouldBe(0, rest.Stderr);
        string[] after = Lines(rest.Stdout);
        after.ShouldBe(Enumerable.Range(before.Length + 1, 200 - before.Length - 1).Select(i => Value(i)), "every record but the one in the damaged batch");
        Committed("g", "t").ShouldBe(200);

        var described = CliProcess.Run(null, "log", "topics", "describe", "t", "--data-dir", _dataDir);
        described.Stdout.ShouldContain($"quarantined: partition 0: '{victim}'");
        described.Stdout.ShouldContain("moved by repair");
        CliProcess.Run(null, "log", "repair", "t", "--data-dir", _dataDir).Stdout.ShouldContain("No damage found in topic 't'.");
    }

    [Fact]
    public void GroupsReset_EachTarget_MovesTheGroupAndExactlyOneTargetIsRequired()
    {
        Write("t", 10);

        CliProcess.Run(null, "log", "groups", "reset", "g", "--topic", "t", "--to-offset", "4", "--data-dir", _dataDir).ExitCode.ShouldBe(0);
        Committed("g", "t").ShouldBe(4);
        CliProcess.Run(null, "log", "groups", "reset", "g", "--topic", "t", "--to-latest", "--data-dir", _dataDir).ExitCode.ShouldBe(0);
        Committed("g", "t").ShouldBe(10);
        CliProcess.Run(null, "log", "groups", "reset", "g", "--topic", "t", "--to-earliest", "--data-dir", _dataDir).ExitCode.ShouldBe(0);
        Committed("g", "t").ShouldBe(0);
        var byTime = CliProcess.Run(null, "log", "groups", "reset", "g", "--topic", "t", "--to-time", "1000007", "--data-dir", _dataDir);
        byTime.ExitCode.ShouldBe(0, byTime.Stderr);
        byTime.Stdout.ShouldContain("partition 0: committed offset is now 7");
        Committed("g", "t").ShouldBe(7);
        CliProcess.Run(null, "log", "groups", "reset", "g", "--topic", "t", "--to-time", "1970-01-01T00:16:40.003Z", "--data-dir", _dataDir).ExitCode.ShouldBe(0);
        Committed("g", "t").ShouldBe(3);
        CliProcess.Run(null, "log", "consume", "t", "--group", "g", "--data-dir", _dataDir).Stdout.ShouldStartWith(Value(3));

        var two = CliProcess.Run(null, "log", "groups", "reset", "g", "--topic", "t", "--to-earliest", "--to-latest", "--data-dir", _dataDir);
        two.ExitCode.ShouldBe(2);
        two.Stderr.ShouldContain("exactly one of --to-earliest, --to-latest, --to-offset N and --to-time T");
        var none = CliProcess.Run(null, "log", "groups", "reset", "g", "--topic", "t", "--data-dir", _dataDir);
        none.ExitCode.ShouldBe(2);
        Committed("g", "t").ShouldBe(10, "a refused reset changes nothing (the consume above committed the end)");
    }
    [Fact]
    public void GroupsAndConsume_GroupCommittedPastALostTail_AreFlaggedWithTheResetCommand()
    {
        using (var log = PartitionedLog.Open(_dataDir, new LogOptions { MaintenanceInterval = null, FlushPolicy = FlushPolicy.OperatingSystem }))
        {
            PartitionLog p = log.CreateTopic("t").GetPartition(0);
            for (int i = 0; i < 10; i++)
            {
                p.Append([ProducerRecord.FromArrays(null, Encoding.UTF8.GetBytes(Value(i)))]);
            }

            log.Groups.Commit("g", [new TopicPartitionOffset("t", 0, 10)]);
        }

        // As after a power loss with a relaxed flush policy: the last acknowledged batch never reached the disk, and
        // neither did the clean-shutdown marker or the index that would tell.
        string active = Directory.GetFiles(Path.Combine(_dataDir, "topics", "t", "0"), "*.log").Single();
        byte[] bytes = File.ReadAllBytes(active);
        File.Delete(Path.Combine(_dataDir, ".clean-shutdown"));
        File.Delete(Path.ChangeExtension(active, ".index"));
        File.WriteAllBytes(active, bytes[..(int)BatchStartOfLast(bytes)]);

        var groups = CliProcess.Run(null, "log", "groups", "--data-dir", _dataDir);
        groups.ExitCode.ShouldBe(0, groups.Stderr);
        groups.Stdout.ShouldContain("past end");
        groups.Stderr.ShouldContain("sluice log groups reset g --topic t --partition 0 --to-latest");
        var consume = CliProcess.Run(null, "log", "consume", "t", "--group", "g", "--data-dir", _dataDir);
        consume.ExitCode.ShouldBe(1);
        consume.Stderr.ShouldContain("sluice log groups reset <group> --topic t");
    }

    /// <summary>Byte position of the last record batch of a segment, walking the batch length fields (format v1:
    /// int64 base offset, int32 length of the rest).</summary>
    private static long BatchStartOfLast(byte[] segment)
    {
        long position = 0, last = 0;
        while (position + 12 <= segment.Length)
        {
            last = position;
            position += 12 + BitConverter.ToInt32(segment, (int)position + 8);
        }

        return last;
    }
}
