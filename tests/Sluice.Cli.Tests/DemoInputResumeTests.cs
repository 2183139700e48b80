using System.Diagnostics;
using System.Globalization;
using Sluice.Examples.Clickstream.Demo;

namespace Sluice.Cli.Tests;

/// <summary>
/// The demo's input phase is resumable: killed (or out of disk) while it appends the generated lines to topic
/// <c>clicks</c> — even in the middle of a batch — a rerun with the same command continues and ends with exactly the
/// tables of an uninterrupted run.
/// </summary>
public sealed class DemoInputResumeTests : IDisposable
{
    private const int Events = 12_000;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-demo-input-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Demo_KilledInTheMiddleOfAnInputBatchAndRunAgain_LeavesExactlyTheTablesOfAnUninterruptedRun()
    {
        var reference = await ClickstreamDemo.RunAsync(new DemoOptions(Events, Seed: 11, Path.Combine(_dir, "reference")), new DemoStats())
            .WaitAsync(TimeSpan.FromMinutes(3));
        var crashed = Path.Combine(_dir, "crashed");

        // SIGKILL right after the batch that reaches 5,000 lines is durable, then tear that batch as a kill in the
        // middle of its write would: the log drops it on open, so the topic holds 4,000 lines when the rerun starts.
        var fault = KillDuringInput(crashed, seed: 11, lines: 5_000);
        fault.ShouldContain("fault injected: input at 5000 lines");
        var segment = Directory.GetFiles(Path.Combine(new DemoPaths(crashed).Log, "topics", DemoInput.Topic, "0"), "*.log").Max(StringComparer.Ordinal)!;
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.Write))
        {
            file.Length.ShouldBeGreaterThan(1_000);
            file.SetLength(file.Length - 100);
        }

        var rerun = CliProcess.Run(TimeSpan.FromMinutes(3), null, "demo", "--events", Events.ToString(CultureInfo.InvariantCulture), "--seed", "11", "--no-ui",
            "--data-dir", crashed);

        rerun.ExitCode.ShouldBe(0, rerun.Stdout + rerun.Stderr);
        var expected = DemoCommandTests.Tables(reference.Paths.Root);
        var actual = DemoCommandTests.Tables(crashed);
        var missing = expected.Except(actual).Take(5).ToList();
        var extra = actual.Except(expected).Take(5).ToList();
        (missing.Count + extra.Count).ShouldBe(0, $"missing: [{string.Join(", ", missing)}] extra: [{string.Join(", ", extra)}]");
        actual.Count.ShouldBe(expected.Count, "no input line may be appended twice");
    }

    [Fact]
    public void Demo_InterruptedInputWithoutSeedRecordRerunWithAnotherSeed_IsRefusedByTheInputCheck()
    {
        // The seed record (DemoSeedRecord) refuses another --seed first; a data directory made before it existed has
        // none, and then the input itself must tell: its last line present differs from the new seed's.
        var crashed = Path.Combine(_dir, "other-seed");
        KillDuringInput(crashed, seed: 11, lines: 3_000).ShouldContain("fault injected: input at 3000 lines");
        File.Delete(Path.Combine(crashed, Sluice.Cli.Demo.DemoSeedRecord.FileName));

        var rerun = CliProcess.Run(TimeSpan.FromMinutes(3), null, "demo", "--events", Events.ToString(CultureInfo.InvariantCulture), "--seed", "12", "--no-ui",
            "--data-dir", crashed);

        rerun.ExitCode.ShouldBe(1);
        rerun.Stderr.Trim().Split('\n').Length.ShouldBe(1, rerun.Stderr);
        rerun.Stderr.ShouldContain("rerun with the --seed of the interrupted run, or delete the data directory");
        rerun.Stderr.ShouldNotContain("   at ");
    }

    /// <summary>Runs the demo with the input fault point at <paramref name="lines"/>; returns its stderr once it died.</summary>
    private static string KillDuringInput(string dataDir, int seed, int lines)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "sluice.dll"), "demo", "--events", Events.ToString(CultureInfo.InvariantCulture),
            "--seed", seed.ToString(CultureInfo.InvariantCulture), "--no-ui", "--data-dir", dataDir })
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["SLUICE_FAULT"] = "input:" + lines.ToString(CultureInfo.InvariantCulture);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit(TimeSpan.FromMinutes(2)).ShouldBeTrue("the demo should reach the fault point");
        process.ExitCode.ShouldNotBe(0, stdout.Result);
        stdout.Result.ShouldNotContain("checkpoint ", Case.Sensitive, "the job must not have started");
        return stderr.Result;
    }
}
