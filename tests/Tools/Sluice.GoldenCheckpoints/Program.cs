using Sluice;
using Sluice.Checkpoints;
using Sluice.Runtime.Tests.Golden;
using Sluice.Testing;

// Writes one golden checkpoint per case of GoldenJobs.Cases into <outdir>/<case>/checkpoints (and <case>/sink for the
// JSON-lines sink case): runs the job with the current code on a fixed manual clock, lets its sources stop at the
// case's checkpoint point, takes checkpoint #1, waits until it is complete and cancels the job.
//   dotnet run --project tests/Tools/Sluice.GoldenCheckpoints -- <outdir> [case ...]
// The checked-in checkpoints are never regenerated (tests/Sluice.Runtime.Tests/Golden/README.md).
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: Sluice.GoldenCheckpoints <outdir> [case ...]");
    Console.Error.WriteLine("cases: " + string.Join(", ", GoldenJobs.Cases.Select(static c => c.Name)));
    return 2;
}
var outdir = Path.GetFullPath(args[0]);
var cases = args.Length > 1 ? [.. args.Skip(1).Select(GoldenJobs.Case)] : GoldenJobs.Cases;
foreach (var golden in cases)
{
    var caseDirectory = Path.Combine(outdir, golden.Name);
    if (Directory.Exists(caseDirectory))
    {
        Console.Error.WriteLine($"{caseDirectory} exists; golden checkpoints are never overwritten.");
        return 1;
    }
    await GenerateAsync(golden, caseDirectory);
    var files = Directory.GetFiles(caseDirectory, "*", SearchOption.AllDirectories);
    Console.WriteLine($"{golden.Name}: {files.Length} files, {files.Sum(static f => new FileInfo(f).Length)} bytes");
}
return 0;

static async Task GenerateAsync(GoldenCase golden, string caseDirectory)
{
    var timeout = TimeSpan.FromSeconds(30);
    var context = new GoldenJobContext(caseDirectory, generating: true);
    var local = new LocalCheckpointStore(context.CheckpointDirectory);
    var holding = golden.PendingCommit ? new HoldAfterManifestStore(local) : null;
    var time = new ManualTimeProvider(GoldenJobs.CheckpointClock);
    if (golden.Name == "source-jsonlines")
    {
        GoldenJobs.WriteJsonLinesInput();
    }
    var env = StreamEnvironment.Create(GoldenJobs.Options(golden, (ICheckpointStore?)holding ?? local, time, golden.Parallelism));
    golden.Build(env, context);

    var completed = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
    var client = env.Start(c => c.CheckpointCompleted += id => completed.TrySetResult(id));
    if (context.Hold is { } hold)
    {
        Require(hold.Reached.Wait(timeout), "the hold should be reached");
        Require(client.TriggerCheckpoint() == 1, "checkpoint #1 should start");
        hold.CheckpointTriggered();
    }
    else
    {
        foreach (var source in context.Sources)
        {
            Require(source.Paused.Wait(timeout), "every source should reach its checkpoint point");
        }
        foreach (var range in context.RangeSources)
        {
            Require(range.Paused.Wait(timeout), "the range source should reach its checkpoint point");
        }
        Require(client.TriggerCheckpoint() == 1, "checkpoint #1 should start");
    }
    if (holding is not null)
    {
        Require(holding.ManifestWritten.Wait(timeout), "the manifest should be written");
    }
    else
    {
        Require(await completed.Task.WaitAsync(timeout) == 1, "checkpoint #1 should complete");
    }
    client.Cancel();
    context.Hold?.Cancelled();
    try
    {
        await client.Completion.WaitAsync(timeout);
        throw new InvalidOperationException($"{golden.Name}: the job should end cancelled.");
    }
    catch (OperationCanceledException)
    {
    }
    var store = new LocalCheckpointStore(context.CheckpointDirectory);
    Require((await store.ListCompletedAsync()).SequenceEqual([1L]), "exactly checkpoint #1 should be complete");
    Require((await store.ListIncompleteAsync()).Count == 0, "no incomplete checkpoint should be left");
}

static void Require(bool condition, string what)
{
    if (!condition)
    {
        throw new InvalidOperationException($"Generating a golden checkpoint failed: {what}.");
    }
}
