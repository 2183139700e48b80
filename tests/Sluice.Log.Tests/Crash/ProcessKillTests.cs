using System.Diagnostics;
using Sluice.Log.Tests.Support;
using static Sluice.Log.Tests.Support.TestData;

namespace Sluice.Log.Tests.Crash;

public sealed class ProcessKillTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("every-batch")]
    [InlineData("interval")]
    [InlineData("os")]
    public void Append_ProcessKilledMidAppend_EveryAcknowledgedRecordSurvives(string policy)
    {
        // Every policy hands each batch to the OS before acknowledging it, so killing the process (not the OS) loses
        // nothing acknowledged; only a power loss distinguishes the policies.
        const int acksBeforeKill = 400;
        string dotnet = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(AppendChild).Assembly.Location);
        start.ArgumentList.Add("append-child");
        start.ArgumentList.Add(_dir.Path);
        start.ArgumentList.Add(policy);
        long lastAcked = -1;
        using (var child = Process.Start(start)!)
        {
            int acks = 0;
            while (acks < acksBeforeKill)
            {
                string? line = child.StandardOutput.ReadLine();
                if (line is null)
                {
                    child.WaitForExit();
                    Assert.Fail($"The append child exited early (code {child.ExitCode}): {child.StandardError.ReadToEnd()}");
                }

                lastAcked = long.Parse(line["ack ".Length..], System.Globalization.CultureInfo.InvariantCulture);
                acks++;
            }

            child.Kill(entireProcessTree: true);
            child.WaitForExit();
        }

        using var log = PartitionedLog.Open(_dir.Path, Options());
        PartitionLog p = log.GetPartition("crash", 0);
        List<ConsumedRecord> records = ReadAll(p);
        records.Count.ShouldBeGreaterThan((int)lastAcked);
        for (int i = 0; i < records.Count; i++)
        {
            records[i].Offset.ShouldBe(i);
            Text(records[i].Value).ShouldBe(ValueFor(i));
        }
    }
}
