using Sluice.Log.Tests.Support;
using static Sluice.Log.Tests.Support.TestData;

namespace Sluice.Log.Tests;

public sealed class TransactionTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _dir.Dispose();

    private PartitionedLog OpenLog()
    {
        var log = PartitionedLog.Open(_dir.Path, Options(_time));
        if (!log.TryGetTopic("out", out _))
        {
            log.CreateTopic("out", new TopicConfig { Partitions = 2 });
            log.CreateTopic("in");
        }

        return log;
    }

    [Fact]
    public void Commit_MultiPartitionWithOffsets_InvisibleUntilCommitThenAllVisible()
    {
        using PartitionedLog log = OpenLog();
        PartitionLog p0 = log.GetPartition("out", 0), p1 = log.GetPartition("out", 1);
        AppendValues(p0, 0, 2);
        TransactionalProducer producer = log.InitTransactions("job/sink/0");
        LogTransaction txn = producer.BeginTransaction(1);
        txn.Append("out", 0, [Record("a", "t0")]);
        txn.Append("out", 1, [Record("b", "t1")]);
        txn.AddConsumerOffsets("g", [new TopicPartitionOffset("in", 0, 7)]);
        AppendValues(p0, 100, 1);

        ReadAll(p0, IsolationLevel.ReadCommitted).Select(r => Text(r.Value)).ShouldBe([ValueFor(0), ValueFor(1)]);
        ReadAll(p1, IsolationLevel.ReadCommitted).ShouldBeEmpty();
        ReadAll(p0, IsolationLevel.ReadUncommitted).Count.ShouldBe(4);
        p0.LastStableOffset.ShouldBe(2);
        log.Groups.GetCommittedOffset("g", "in", 0).ShouldBeNull();

        txn.Commit();

        ReadAll(p0, IsolationLevel.ReadCommitted).Select(r => Text(r.Value)).ShouldBe([ValueFor(0), ValueFor(1), "t0", ValueFor(100)]);
        ReadAll(p1, IsolationLevel.ReadCommitted).Select(r => Text(r.Value)).ShouldBe(["t1"]);
        log.Groups.GetCommittedOffset("g", "in", 0).ShouldBe(7);
        producer.IsCommitted(1).ShouldBeTrue();
    }

    [Fact]
    public void Abort_Transaction_SkippedByReadCommittedButSeenByReadUncommitted()
    {
        using PartitionedLog log = OpenLog();
        PartitionLog p0 = log.GetPartition("out", 0);
        TransactionalProducer producer = log.InitTransactions("w");
        LogTransaction txn = producer.BeginTransaction(1);
        txn.Append("out", 0, [Record("a", "aborted")]);
        txn.AddConsumerOffsets("g", [new TopicPartitionOffset("in", 0, 5)]);
        txn.Abort();
        LogTransaction next = producer.BeginTransaction(2);
        next.Append("out", 0, [Record("a", "committed")]);
        next.Commit();

        ReadAll(p0, IsolationLevel.ReadCommitted).Select(r => Text(r.Value)).ShouldBe(["committed"]);
        ReadAll(p0, IsolationLevel.ReadUncommitted).Select(r => Text(r.Value)).ShouldBe(["aborted", "committed"]);
        log.Groups.GetCommittedOffset("g", "in", 0).ShouldBeNull();
    }

    [Fact]
    public async Task WaitForDataAsync_ReadCommitted_WakesOnCommitNotOnAppend()
    {
        using var log = PartitionedLog.Open(_dir.Path, Options(TimeProvider.System));
        log.CreateTopic("out");
        PartitionLog p = log.GetPartition("out", 0);
        LogTransaction txn = log.InitTransactions("w").BeginTransaction(1);
        txn.Append("out", 0, [Record("a", "x")]);
        (await p.WaitForDataAsync(0, IsolationLevel.ReadCommitted, TimeSpan.FromMilliseconds(20), CancellationToken.None)).ShouldBeFalse();
        ValueTask<bool> wait = p.WaitForDataAsync(0, IsolationLevel.ReadCommitted, TimeSpan.FromSeconds(30), CancellationToken.None);
        txn.Commit();
        (await wait).ShouldBeTrue();
    }

    [Fact]
    public void Reopen_OpenUnpreparedTransaction_IsAborted()
    {
        using (PartitionedLog log = OpenLog())
        {
            LogTransaction txn = log.InitTransactions("w").BeginTransaction(1);
            txn.Append("out", 0, [Record("a", "lost")]);
            log.GetPartition("out", 0).Flush();
        }

        using PartitionedLog reopened = OpenLog();
        PartitionLog p0 = reopened.GetPartition("out", 0);
        p0.LastStableOffset.ShouldBe(p0.EndOffset);
        ReadAll(p0, IsolationLevel.ReadCommitted).ShouldBeEmpty();
        AppendValues(p0, 0, 1);
        ReadAll(p0, IsolationLevel.ReadCommitted).Select(r => Text(r.Value)).ShouldBe([ValueFor(0)]);
    }

    [Fact]
    public void ReopenReadOnly_OpenUnpreparedTransaction_IsAbortedInMemoryAndNoFileChanges()
    {
        using (PartitionedLog log = OpenLog())
        {
            LogTransaction txn = log.InitTransactions("w").BeginTransaction(1);
            txn.Append("out", 0, [Record("a", "lost")]);
            AppendValues(log.GetPartition("out", 0), 0, 1);
            log.GetPartition("out", 0).Flush();
        }

        Dictionary<string, string> before = Fingerprint();
        using (var reopened = PartitionedLog.Open(_dir.Path, Options(_time) with { ReadOnly = true }))
        {
            PartitionLog p0 = reopened.GetPartition("out", 0);
            p0.LastStableOffset.ShouldBe(p0.EndOffset);
            ReadAll(p0, IsolationLevel.ReadCommitted).Select(r => Text(r.Value)).ShouldBe([ValueFor(0)]);
            Should.Throw<InvalidOperationException>(() => reopened.InitTransactions("w"));
        }

        Fingerprint().ShouldBe(before);
    }

    [Fact]
    public void Open_TransactionLogDamagedBeforeIntactRecords_FailsAndChangesNothing()
    {
        using (PartitionedLog log = OpenLog())
        {
            TransactionalProducer producer = log.InitTransactions("w");
            for (long seq = 1; seq <= 3; seq++)
            {
                LogTransaction txn = producer.BeginTransaction(seq);
                txn.Append("out", 0, [Record("k", $"v{seq}")]);
                txn.Prepare();
                producer.CommitPrepared(seq);
            }
        }

        string path = Path.Combine(_dir.Path, "transactions", "transactions.log");
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(path, bytes);
        Dictionary<string, string> before = Fingerprint();

        var e = Should.Throw<LogCorruptionException>(() => PartitionedLog.Open(_dir.Path, Options(_time)));

        e.Message.ShouldContain(path);
        e.Message.ShouldContain("nothing was changed");
        Fingerprint().ShouldBe(before);
    }

    [Fact]
    public void Open_TransactionLogWithTornLastRecord_KeepsItsBytesBesideTheLogAndCutsIt()
    {
        using (PartitionedLog log = OpenLog())
        {
            log.InitTransactions("w");
        }

        // As after a crash while appending: no clean-shutdown marker.
        File.Delete(Path.Combine(_dir.Path, ".clean-shutdown"));
        string path = Path.Combine(_dir.Path, "transactions", "transactions.log");
        long intact = new FileInfo(path).Length;
        byte[] torn = [40, 0, 0, 0, 1, 2, 3, 4, 5, 6];
        File.AppendAllBytes(path, torn);

        using (PartitionedLog reopened = OpenLog())
        {
            reopened.InitTransactions("w").Epoch.ShouldBe((short)2, "the intact epoch record was kept");
        }

        File.ReadAllBytes(path + ".torn-" + intact).ShouldBe(torn);
    }

    [Fact]
    public void Open_TransactionLogWithDamagedLastRecordAfterACleanClose_FailsAndChangesNothing()
    {
        using (PartitionedLog log = OpenLog())
        {
            log.InitTransactions("w");
        }

        File.AppendAllBytes(Path.Combine(_dir.Path, "transactions", "transactions.log"), [40, 0, 0, 0, 1, 2, 3, 4, 5, 6]);
        Dictionary<string, string> before = Fingerprint();

        var e = Should.Throw<LogCorruptionException>(() => PartitionedLog.Open(_dir.Path, Options(_time)));

        e.Message.ShouldContain("closed cleanly");
        Fingerprint().ShouldBe(before);
    }

    private Dictionary<string, string> Fingerprint() => TestData.Fingerprint(_dir.Path);

    [Fact]
    public void CommitPrepared_AfterRestart_CommitsOnceThenReportsAlreadyCommitted()
    {
        using (PartitionedLog log = OpenLog())
        {
            LogTransaction txn = log.InitTransactions("sink").BeginTransaction(42);
            txn.Append("out", 1, [Record("k", "prepared")]);
            txn.AddConsumerOffsets("g", [new TopicPartitionOffset("in", 0, 10)]);
            txn.Prepare();
        }

        using (PartitionedLog log = OpenLog())
        {
            PartitionLog p1 = log.GetPartition("out", 1);
            ReadAll(p1, IsolationLevel.ReadCommitted).ShouldBeEmpty();
            TransactionalProducer producer = log.InitTransactions("sink");
            producer.PendingSequences.ShouldBe([42L]);
            producer.CommitPrepared(42).ShouldBe(CommitOutcome.Committed);
            producer.CommitPrepared(42).ShouldBe(CommitOutcome.AlreadyCommitted);
            ReadAll(p1, IsolationLevel.ReadCommitted).Select(r => Text(r.Value)).ShouldBe(["prepared"]);
            log.Groups.GetCommittedOffset("g", "in", 0).ShouldBe(10);
        }

        using (PartitionedLog log = OpenLog())
        {
            TransactionalProducer producer = log.InitTransactions("sink");
            producer.PendingSequences.ShouldBeEmpty();
            producer.CommitPrepared(42).ShouldBe(CommitOutcome.AlreadyCommitted);
            ReadAll(log.GetPartition("out", 1), IsolationLevel.ReadCommitted).Count.ShouldBe(1);
            Should.Throw<TransactionStateException>(() => producer.CommitPrepared(43));
        }
    }

    [Fact]
    public void AbortPrepared_AfterRestart_RecordsNeverVisible()
    {
        using (PartitionedLog log = OpenLog())
        {
            LogTransaction txn = log.InitTransactions("sink").BeginTransaction(1);
            txn.Append("out", 0, [Record("k", "x")]);
            txn.Prepare();
        }

        using PartitionedLog reopened = OpenLog();
        TransactionalProducer producer = reopened.InitTransactions("sink");
        producer.AbortPrepared(1).ShouldBeTrue();
        PartitionLog p0 = reopened.GetPartition("out", 0);
        p0.LastStableOffset.ShouldBe(p0.EndOffset);
        ReadAll(p0, IsolationLevel.ReadCommitted).ShouldBeEmpty();
        Should.Throw<TransactionStateException>(() => producer.CommitPrepared(1));
    }

    [Fact]
    public void InitTransactions_SameIdTwice_FencesOldProducerAndAbortsItsOpenTransaction()
    {
        using PartitionedLog log = OpenLog();
        TransactionalProducer old = log.InitTransactions("w");
        LogTransaction oldTxn = old.BeginTransaction(1);
        oldTxn.Append("out", 0, [Record("k", "zombie")]);

        TransactionalProducer current = log.InitTransactions("w");

        current.Epoch.ShouldBe((short)(old.Epoch + 1));
        oldTxn.State.ShouldBe(TransactionState.Aborted);
        Should.Throw<ProducerFencedException>(() => oldTxn.Append("out", 0, [Record("k", "late")])).Message.ShouldContain("'w'");
        Should.Throw<ProducerFencedException>(() => oldTxn.Commit());
        Should.Throw<ProducerFencedException>(() => old.BeginTransaction(2));
        LogTransaction txn = current.BeginTransaction(2);
        txn.Append("out", 0, [Record("k", "fresh")]);
        txn.Commit();
        ReadAll(log.GetPartition("out", 0), IsolationLevel.ReadCommitted).Select(r => Text(r.Value)).ShouldBe(["fresh"]);
    }

    [Fact]
    public void BeginTransaction_ReusedSequence_Throws()
    {
        using PartitionedLog log = OpenLog();
        TransactionalProducer producer = log.InitTransactions("w");
        LogTransaction txn = producer.BeginTransaction(5);
        txn.Append("out", 0, [Record("k", "v")]);
        txn.Commit();
        Should.Throw<TransactionStateException>(() => producer.BeginTransaction(5));
    }

    [Fact]
    public void Compact_TopicWithAbortedTransactions_DropsAbortedAndKeepsCommitted()
    {
        using var log = PartitionedLog.Open(_dir.Path, Options(_time));
        log.CreateTopic("changelog", new TopicConfig { SegmentBytes = 1024, CleanupPolicy = CleanupPolicy.Compact });
        TransactionalProducer producer = log.InitTransactions("w");
        for (int i = 0; i < 30; i++)
        {
            LogTransaction txn = producer.BeginTransaction(i);
            txn.Append("changelog", 0, [Record($"k{i % 3}", $"v{i}")]);
            if (i % 2 == 0)
            {
                txn.Commit();
            }
            else
            {
                txn.Abort();
            }
        }

        log.RunMaintenance();
        PartitionLog p = log.GetPartition("changelog", 0);
        var values = ReadAll(p, IsolationLevel.ReadCommitted).Select(r => Text(r.Value)).ToList();
        values.ShouldAllBe(v => int.Parse(v.Substring(1), System.Globalization.CultureInfo.InvariantCulture) % 2 == 0);
        values.ShouldContain("v28");
    }
}
