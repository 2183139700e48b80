using RocksDbSharp;
using Sluice.Checkpoints;
using Sluice.Runtime.State;
using Sluice.State;

namespace Sluice.Runtime.Tests.State;

/// <summary>
/// RocksDB working copies: each open backend holds a lock file beside its directory; copies whose lock nobody holds
/// (their process was killed) are deleted by the next backend opening beside them, and never leak state into a
/// restored job, which takes its state from the checkpoint only.
/// </summary>
public sealed class RocksDbWorkingDirectoryTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly string _root = Path.Combine(TestBackends.Root, "working-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Open_CreatesTheDirectoryAndHoldsItsLock_DisposeDeletesBoth()
    {
        var path = Path.Combine(_root, "job", "op-0-a");
        var directory = RocksDbWorkingDirectory.Open(path, "op", deleteEmptyParent: true);

        Directory.Exists(path).ShouldBeTrue();
        File.Exists(path + ".lock").ShouldBeTrue();
        Should.Throw<IOException>(() => new FileStream(path + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose());
        directory.Dispose();
        Directory.Exists(path).ShouldBeFalse();
        File.Exists(path + ".lock").ShouldBeFalse();
        Directory.Exists(Path.Combine(_root, "job")).ShouldBeFalse("the empty job directory goes too");
    }

    [Fact]
    public void Open_ADirectoryALiveBackendHolds_FailsNamingThePath()
    {
        var path = Path.Combine(_root, "job", "op-0-a");
        using var live = RocksDbWorkingDirectory.Open(path, "op", deleteEmptyParent: false);

        var error = Should.Throw<IOException>(() => RocksDbWorkingDirectory.Open(path, "op", deleteEmptyParent: false));

        error.Message.ShouldContain($"cannot create its directory '{path}'");
        Directory.Exists(path).ShouldBeTrue("the live copy is untouched");
    }

    /// <summary>
    /// Subtasks of one job open their copies side by side at the same moment, each sweeping the others' directory: a
    /// lock file is never visible unlocked, so no opening copy is taken for stale (its lock stolen, its directory deleted).
    /// </summary>
    /// <summary>
    /// Backends closing (each deleting the then-empty parent) while others open in the same parent: every open
    /// succeeds. Before the fix, an open whose parent vanished between creating it and creating its lock file failed.
    /// </summary>
    [Fact]
    public void Open_WhileOthersCloseAndDeleteTheEmptyParent_EverySucceeds()
    {
        const int threads = 8;
        const int rounds = 1000;
        var job = Path.Combine(_root, "churn");
        using var start = new Barrier(threads);
        var errors = new Exception?[threads];
        var workers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            try
            {
                start.SignalAndWait(s_timeout);
                for (var r = 0; r < rounds; r++)
                {
                    RocksDbWorkingDirectory.Open(Path.Combine(job, $"op-{i}-{r}"), "op", deleteEmptyParent: true).Dispose();
                }
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join(s_timeout).ShouldBeTrue());

        errors.ShouldAllBe(e => e == null);
        Directory.Exists(job).ShouldBeFalse("the last backend to close deletes the empty parent");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Open_ManyCopiesAtOnceInOneDirectory_AllSucceedAndNoneIsSweptByAnother(int round)
    {
        const int copies = 24;
        var job = Path.Combine(_root, $"job-{round}");
        using var start = new Barrier(copies);
        var opened = new RocksDbWorkingDirectory[copies];
        var errors = new Exception?[copies];
        var threads = Enumerable.Range(0, copies).Select(i => new Thread(() =>
        {
            try
            {
                start.SignalAndWait(s_timeout);
                opened[i] = RocksDbWorkingDirectory.Open(Path.Combine(job, $"op-{i}-{Guid.NewGuid():N}"), "op", deleteEmptyParent: false);
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join(s_timeout).ShouldBeTrue());
        errors.ShouldAllBe(e => e == null);
        try
        {
            foreach (var directory in opened)
            {
                Directory.Exists(directory.Path).ShouldBeTrue($"{directory.Path} was deleted by another copy's sweep");
                File.Exists(directory.Path + ".lock").ShouldBeTrue();
                directory.Swept.ShouldBe(0, "no copy here is stale");
            }
        }
        finally
        {
            foreach (var directory in opened)
            {
                directory?.Dispose();
            }
        }
    }

    [Fact]
    public void Open_DeletesCopiesWhoseLockNobodyHolds_AndKeepsLiveAndForeignDirectories()
    {
        var job = Path.Combine(_root, "job");
        using var live = RocksDbWorkingDirectory.Open(Path.Combine(job, "op-0-live"), "op", deleteEmptyParent: false);
        var stale = Path.Combine(job, "op-1-stale");
        Directory.CreateDirectory(Path.Combine(stale, "sub"));
        File.WriteAllText(Path.Combine(stale, "sub", "000042.sst"), "left by a killed process");
        File.WriteAllText(stale + ".lock", "");
        var foreign = Path.Combine(job, "not-a-working-copy");
        Directory.CreateDirectory(foreign);
        var orphanLock = Path.Combine(job, "op-2-never-created.lock");
        File.WriteAllText(orphanLock, "");

        using var opened = RocksDbWorkingDirectory.Open(Path.Combine(job, "op-3-new"), "op", deleteEmptyParent: false);

        opened.Swept.ShouldBe(1);
        Directory.Exists(stale).ShouldBeFalse();
        File.Exists(stale + ".lock").ShouldBeFalse();
        File.Exists(orphanLock).ShouldBeFalse();
        Directory.Exists(live.Path).ShouldBeTrue();
        File.Exists(live.Path + ".lock").ShouldBeTrue();
        Directory.Exists(foreign).ShouldBeTrue("a directory without a lock file was not made by a backend");
    }

    [Fact]
    public async Task Restore_BesideTheWorkingCopyOfAKilledRun_TakesStateFromTheCheckpointAndDeletesTheCopy()
    {
        var checkpoints = Path.Combine(_root, "checkpoints");
        var counter = new Counter { FlushAt = 2_999 };
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 1_000 };
        var env = StreamEnvironment.Create(Options(checkpoints));
        env.FromSource(source, name: "Range").Uid("range").KeyBy(v => v % 10).Process(counter).Uid("count").Collect("Sink");
        var client = await source.StartAndCheckpointAtPauseAsync(env); // Checkpoint 1: 100 per key.
        source.AdvanceTo(3_000);
        counter.Flushed.Wait(s_timeout).ShouldBeTrue("the counter should reach 300 per key and flush it to SST files");

        // What a kill -9 leaves: a copy of the database holding state the checkpoint does not have, and its lock file, unheld.
        var live = Directory.GetDirectories(Path.Combine(_root, "state", "stale-copy")).ShouldHaveSingleItem();
        var stale = Path.Combine(_root, "state", "stale-copy", "count-0-killed00");
        Directory.CreateDirectory(stale);
        foreach (var file in Directory.GetFiles(live))
        {
            File.Copy(file, Path.Combine(stale, Path.GetFileName(file)));
        }
        File.WriteAllText(stale + ".lock", "");
        await PausableRangeSource.CrashAsync(client);
        CountEntries(stale).ShouldBe(10, "the stale copy holds every key's uncheckpointed count");

        var env2 = StreamEnvironment.Create(Options(checkpoints));
        var sink = env2.FromSource(new PausableRangeSource(2_000), name: "Range").Uid("range").KeyBy(v => v % 10).Process(new Counter()).Uid("count").Collect("Sink");
        await env2.ExecuteAsync().WaitAsync(s_timeout);

        var last = sink.Items.GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => g.Max(p => p.Item2));
        last.Count.ShouldBe(10);
        last.Values.ShouldAllBe(count => count == 200, "100 per key restored from checkpoint 1 + 100 records from 1,000 to 1,999; the stale copy held 300");
        Directory.Exists(stale).ShouldBeFalse();
        Directory.Exists(Path.Combine(_root, "state", "stale-copy")).ShouldBeFalse("nothing is left once the job ends");
    }

    private JobOptions Options(string checkpoints) => new()
    {
        JobName = "stale-copy",
        Parallelism = 1,
        StateBackend = new RocksDbStateBackend { Directory = Path.Combine(_root, "state"), WriteBufferSize = 1 << 20 },
        Checkpoints = CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromHours(1)),
    };

    /// <summary>Entries of state 'count' in a closed database directory (opened read-only on a copy, which stays as it is).</summary>
    private static int CountEntries(string directory)
    {
        var copy = directory + "-inspect";
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(directory))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }
        try
        {
            var families = new ColumnFamilies();
            foreach (var name in RocksDb.ListColumnFamilies(new DbOptions(), copy))
            {
                families.Add(name, new ColumnFamilyOptions());
            }
            using var db = RocksDb.OpenReadOnly(new DbOptions(), copy, families, errIfLogFileExists: false);
            using var iterator = db.NewIterator(db.GetColumnFamily("state:count"));
            var n = 0;
            for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
            {
                n++;
            }
            return n;
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    /// <summary>A count per key; emits (key, count) per record; at <see cref="FlushAt"/> flushes the state to SST files.</summary>
    private sealed class Counter : KeyedProcessFunction<long, long, (long, long)>
    {
        private IValueState<long> _count = null!;
        private RocksDbKeyedStateBackend<long> _backend = null!;

        public long FlushAt { get; init; } = -1;

        public ManualResetEventSlim Flushed { get; } = new();

        public override void Open(IRuntimeContext context)
        {
            _backend = (RocksDbKeyedStateBackend<long>)context.State;
            _count = context.State.GetState(new ValueStateDescriptor<long>("count"));
        }

        public override void ProcessElement(long value, KeyedProcessContext<long> context, ICollector<(long, long)> output)
        {
            var next = _count.Value + 1;
            _count.Update(next);
            output.Collect((context.CurrentKey, next));
            if (value == FlushAt)
            {
                RocksDbDiskFaults.FlushNow(_backend, "count").ShouldBeNull();
                Flushed.Set();
            }
        }
    }
}
