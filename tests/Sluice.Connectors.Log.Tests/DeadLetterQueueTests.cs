using System.Text;
using CsCheck;
using Sluice.Connectors.Log.Tests.Support;
using Sluice.Formats;
using Sluice.Log;
using Sluice.Sources;
using Sluice.Testing;

namespace Sluice.Connectors.Log.Tests;

/// <summary>
/// The dead-letter lifecycle on the embedded log: the log source fills the envelope, <c>ToDeadLetterQueue</c> writes
/// <c>&lt;source&gt;.dlq</c>, and <see cref="DeadLetterQueue"/> reads, counts and replays it — idempotently, also after
/// a crash that tore the replay's last append.
/// </summary>
public sealed class DeadLetterQueueTests
{
    [Fact]
    public void LogSource_UndecodableRecord_LetterHasOriginBytesKeyIngestTimeKindAndReplayAttempt()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 1);
        temp.Log.GetPartition("t", 0).Append(
        [
            ProducerRecord.FromArrays("k1"u8.ToArray(), "{not json"u8.ToArray(), 42),
            ProducerRecord.FromArrays(null, "{also not"u8.ToArray(), 43, [new LogHeader(DeadLetterEnvelope.ReplayAttemptHeader, "3"u8.ToArray())]),
        ]);
        var source = new LogSource<Ev>(temp.Log, "t", MessageDeserializers.Json<Ev>(), new LogSourceOptions { Bounded = true });
        using var reader = source.CreateReader(TestWaits.Context());
        var output = new TestSourceOutput<Ev>();
        while (reader.PollNext(output) == SourceStatus.MoreAvailable)
        {
        }

        output.DeadLetters.Count.ShouldBe(2);
        var first = output.DeadLetters[0];
        (first.Source, first.Position, first.Kind).ShouldBe(("log:t", "t/0/0", DeadLetterKind.Parse));
        first.Origin.ShouldBe(new RecordOrigin("t", 0, 0));
        first.Original.ShouldBe("{not json"u8.ToArray());
        first.OriginalKey.ShouldBe("k1"u8.ToArray());
        first.IngestTime.ShouldBe(42);
        first.Attempt.ShouldBe(1);
        var second = output.DeadLetters[1];
        second.Origin.ShouldBe(new RecordOrigin("t", 0, 1));
        second.OriginalKey.ShouldBeNull();
        second.Attempt.ShouldBe(3, "a replayed record that fails again carries the replay's attempt");
    }

    [Fact]
    public async Task ToDeadLetterQueue_SourceLetters_WritesEnvelopeToSourceDotDlqWithJobAndOrigin()
    {
        using var temp = new TempLog();
        temp.CreateTopic("orders", 2);
        temp.Log.GetPartition("orders", 0).Append([ProducerRecord.FromArrays("a"u8.ToArray(), "{\"key\":\"a\",\"seq\":1,\"ts\":5}"u8.ToArray(), 10)]);
        temp.Log.GetPartition("orders", 1).Append([ProducerRecord.FromArrays("b"u8.ToArray(), "oops"u8.ToArray(), 11)]);
        var env = StreamEnvironment.Create(new JobOptions { JobName = "orders-job" });
        var events = env.FromLog(temp.Log, "orders", MessageDeserializers.Json<Ev>(), new LogSourceOptions { Bounded = true });
        events.GetSideOutput(DeadLetters.Tag).ToDeadLetterQueue(temp.Log, "orders");
        events.Collect();
        await env.ExecuteAsync().OrTimeout();

        var letters = new DeadLetterQueue(temp.Log).Select("orders", DeadLetterFilter.All, 0, 100, null, out var more);

        more.ShouldBeFalse();
        var letter = letters.ShouldHaveSingleItem();
        (letter.Kind, letter.Origin, letter.OriginTopic, letter.OriginPartition, letter.OriginOffset).ShouldBe(("parse", "orders-job", "orders", (int?)1, (long?)0));
        (letter.Payload, letter.Key, letter.Source, letter.Location, letter.IngestTime, letter.Attempt).ShouldBe(("oops", "b", "log:orders", "orders/1/0", (long?)11, 1));
    }

    [Fact]
    public void Replay_Twice_TargetGainsEachRecordOnceWithMarkerAndAttempt()
    {
        using var temp = new TempLog();
        temp.CreateTopic("orders", 3);
        temp.CreateTopic("orders.dlq", 1);
        for (var i = 0; i < 5; i++)
        {
            Write(temp.Log, "orders.dlq", 0, Letter(i, DeadLetterKind.Schema, "missing"));
        }
        var queue = new DeadLetterQueue(temp.Log);
        DeadLetterPosition[] all = [.. Enumerable.Range(0, 5).Select(i => new DeadLetterPosition(0, i))];

        var first = queue.Replay("orders", all);
        var second = queue.Replay("orders.dlq", all);

        (first.Appended, first.AlreadyReplayed, second.Appended, second.AlreadyReplayed).ShouldBe((5, 0, 0, 5));
        second.Replayed.Select(r => (r.OriginPartition, r.OriginOffset)).ShouldBe(first.Replayed.Select(r => (r.OriginPartition, r.OriginOffset)));
        var target = temp.ReadAll("orders");
        target.Select(r => Encoding.UTF8.GetString(r.Record.Value!)).Order(StringComparer.Ordinal).ShouldBe(Enumerable.Range(0, 5).Select(i => $"{{\"id\":{i}}}"));
        target.Select(r => Header(r.Record, DeadLetterEnvelope.ReplayOfHeader)).Order(StringComparer.Ordinal).ShouldBe(Enumerable.Range(0, 5).Select(i => $"orders.dlq/0/{i}"));
        target.ShouldAllBe(r => Header(r.Record, DeadLetterEnvelope.ReplayAttemptHeader) == "2");
        target.ShouldAllBe(r => r.Partition == temp.Log.GetTopic("orders").PartitionFor(r.Record.Key, false));
    }

    [Fact]
    public void Replay_DryRun_AppendsNothing_ThenReplayAppends()
    {
        using var temp = new TempLog();
        temp.CreateTopic("orders", 1);
        temp.CreateTopic("orders.dlq", 1);
        Write(temp.Log, "orders.dlq", 0, Letter(0, DeadLetterKind.Parse, "bad"));
        var queue = new DeadLetterQueue(temp.Log);

        var dry = queue.Replay("orders", [new DeadLetterPosition(0, 0)], dryRun: true);

        (dry.DryRun, dry.Appended, dry.Replayed[0].OriginOffset).ShouldBe((true, 1, -1L));
        temp.ReadAll("orders").ShouldBeEmpty();
        queue.Replay("orders", [new DeadLetterPosition(0, 0)]).Appended.ShouldBe(1);
        queue.Replay("orders", [new DeadLetterPosition(0, 0)], dryRun: true).AlreadyReplayed.ShouldBe(1);
    }

    [Fact]
    public void Replay_ToOtherTopic_AppendsThereAndTracksCopiesPerTarget()
    {
        using var temp = new TempLog();
        temp.CreateTopic("orders", 1);
        temp.CreateTopic("orders-fixed", 1);
        temp.CreateTopic("orders.dlq", 1);
        Write(temp.Log, "orders.dlq", 0, Letter(0, DeadLetterKind.Parse, "bad"));
        var queue = new DeadLetterQueue(temp.Log);

        queue.Replay("orders", [new DeadLetterPosition(0, 0)], target: "orders-fixed").Appended.ShouldBe(1);
        queue.Replay("orders", [new DeadLetterPosition(0, 0)], target: "orders-fixed").Appended.ShouldBe(0);

        temp.ReadAll("orders-fixed").Count.ShouldBe(1);
        temp.ReadAll("orders").ShouldBeEmpty();
    }

    [Fact]
    public void Replay_MissingTargetOrOffset_NamesItAndAppendsNothing()
    {
        using var temp = new TempLog();
        temp.CreateTopic("orders", 1);
        temp.CreateTopic("orders.dlq", 1);
        Write(temp.Log, "orders.dlq", 0, Letter(0, DeadLetterKind.Parse, "bad"));
        var queue = new DeadLetterQueue(temp.Log);

        var offset = Should.Throw<DeadLetterQueueException>(() => queue.Replay("orders", [new DeadLetterPosition(0, 0), new DeadLetterPosition(0, 7)]));
        var target = Should.Throw<DeadLetterQueueException>(() => queue.Replay("orders", [new DeadLetterPosition(0, 0)], target: "nowhere"));

        (offset.Error, target.Error).ShouldBe((DeadLetterQueueError.NotFound, DeadLetterQueueError.Conflict));
        offset.Message.ShouldContain("partition 0 offset 7");
        target.Message.ShouldContain("'nowhere'");
        temp.ReadAll("orders").ShouldBeEmpty();
    }

    /// <summary>
    /// A crash while the replay appended: the last batch of one target partition is torn (half written, no clean
    /// shutdown). The log drops the torn batch on open; the next replay appends exactly the records that were lost,
    /// and skips the rest — the target ends with each record once.
    /// </summary>
    [Fact]
    public void Replay_CrashTearsTheLastAppend_NextReplayCompletesWithEachRecordOnce()
    {
        using var temp = new TempLog();
        temp.CreateTopic("orders", 2);
        temp.CreateTopic("orders.dlq", 1);
        for (var i = 0; i < 8; i++)
        {
            Write(temp.Log, "orders.dlq", 0, Letter(i, DeadLetterKind.Rule, "range"));
        }
        DeadLetterPosition[] all = [.. Enumerable.Range(0, 8).Select(i => new DeadLetterPosition(0, i))];
        var first = new DeadLetterQueue(temp.Log).Replay("orders", all);
        var torn = first.Replayed.Where(r => r.OriginPartition == 1).ToList();
        torn.Count.ShouldBeGreaterThan(0, "the keys spread over both partitions");
        torn.Count.ShouldBeLessThan(8);

        temp.Log.Dispose();
        var partitionDirectory = Path.Combine(temp.Directory, "topics", "orders", "1");
        var segment = Directory.GetFiles(partitionDirectory, "*.log").Order(StringComparer.Ordinal).Last();
        using (var file = new FileStream(segment, FileMode.Open))
        {
            file.SetLength(file.Length - 7); // the replay's batch on partition 1 was written halfway
        }
        File.Delete(Path.Combine(temp.Directory, ".clean-shutdown"));
        foreach (var index in Directory.GetFiles(partitionDirectory, "*.index"))
        {
            File.Delete(index);
        }
        temp.Reopen();
        temp.ReadAll("orders").Count.ShouldBe(8 - torn.Count, "the torn batch is gone after the crash");

        var second = new DeadLetterQueue(temp.Log).Replay("orders", all);

        (second.Appended, second.AlreadyReplayed).ShouldBe((torn.Count, 8 - torn.Count));
        temp.ReadAll("orders").Select(r => Header(r.Record, DeadLetterEnvelope.ReplayOfHeader)).Order(StringComparer.Ordinal)
            .ShouldBe(Enumerable.Range(0, 8).Select(i => $"orders.dlq/0/{i}"));
    }

    [Fact]
    public void StatsAndFilter_KindRuleReasonAndTime_CountAndSelectTheMatchingLetters()
    {
        using var temp = new TempLog();
        temp.CreateTopic("orders.dlq", 2);
        Write(temp.Log, "orders.dlq", 0, Letter(0, DeadLetterKind.Rule, "amount out of range") with { Rule = "amount_range" }, 3_600_000);
        Write(temp.Log, "orders.dlq", 0, Letter(1, DeadLetterKind.Rule, "amount out of range") with { Rule = "amount_range" }, 3_600_001);
        Write(temp.Log, "orders.dlq", 1, Letter(2, DeadLetterKind.Parse, "line 7: not JSON"), 7_200_000);
        var queue = new DeadLetterQueue(temp.Log);

        var stats = queue.Stats("orders");
        var rules = queue.Select("orders", new DeadLetterFilter { Rule = "amount_range" }, 0, 10, null, out _);
        var late = queue.Select("orders", new DeadLetterFilter { FromMs = 3_600_001, ToMs = 7_200_000 }, 0, 10, null, out _);
        var pattern = queue.Select("orders", new DeadLetterFilter { Reason = "line #: not json" }, 0, 10, null, out _);

        stats.Records.ShouldBe(3);
        stats.Kinds.Select(k => (k.Name, k.Count)).ShouldBe([("rule", 2L), ("parse", 1L)]);
        stats.Rules.Select(k => (k.Name, k.Count)).ShouldBe([("amount_range", 2L)]);
        stats.Hours.Select(k => (k.Name, k.Count)).ShouldBe([("1970-01-01T01:00Z", 2L), ("1970-01-01T02:00Z", 1L)]);
        stats.Reasons.Select(r => r.Reason).ShouldBe(["amount out of range", "line #: not JSON"]);
        rules.Select(r => r.Offset).ShouldBe([0L, 1L]);
        late.Select(r => (r.Partition, r.Offset)).ShouldBe([(0, 1L)]);
        pattern.Select(r => (r.Partition, r.Offset)).ShouldBe([(1, 0L)]);
        new DeadLetterQueue(temp.Log).ListTopics().Topics.ShouldHaveSingleItem().Records.ShouldBe(3);
    }

    /// <summary>
    /// Property: whatever filter selections are replayed, in whatever order and with repeats, the target ends with
    /// exactly one copy of each record some replay selected, and no other record.
    /// </summary>
    [Fact]
    public void Replay_AnySelectionsInAnyOrderAndRepetition_TargetHoldsEachSelectedRecordExactlyOnce()
    {
        using var temp = new TempLog();
        var run = 0;
        var kinds = new[] { DeadLetterKind.Parse, DeadLetterKind.Schema, DeadLetterKind.Rule };
        var gen =
            from letters in Gen.Select(Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[0, 1]).Array[1, 16]
            from selections in Gen.Select(Gen.Int[-1, 2], Gen.Int[-1, 2], Gen.Int[0, 1000], Gen.Int[1, 3]).Array[1, 6]
            select (letters, selections);
        gen.Sample(input =>
        {
            var (letters, selections) = input;
            var name = $"t{run++}";
            temp.CreateTopic(name, 2);
            temp.CreateTopic(name + ".dlq", 2);
            for (var i = 0; i < letters.Length; i++)
            {
                var (kind, reason, partition) = letters[i];
                Write(temp.Log, name + ".dlq", partition, Letter(i, kinds[kind], $"reason {(char)('a' + reason)}") with { Origin = new RecordOrigin(name) });
            }
            var queue = new DeadLetterQueue(temp.Log);
            var expected = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (kind, reason, seed, repeat) in selections)
            {
                var filter = new DeadLetterFilter { Kind = kind < 0 ? null : kinds[kind], Reason = reason < 0 ? null : $"reason {(char)('a' + reason)}" };
                var selected = queue.Select(name, filter, 0, int.MaxValue, null, out _);
                var positions = selected.Select(r => new DeadLetterPosition(r.Partition, r.Offset)).ToList();
                var random = new Random(seed);
                var asked = Enumerable.Range(0, repeat).SelectMany(_ => positions).OrderBy(_ => random.Next()).ToList();
                foreach (var p in positions)
                {
                    expected.Add($"{name}.dlq/{p.Partition}/{p.Offset}");
                }
                if (asked.Count > 0)
                {
                    queue.Replay(name, asked);
                }
            }
            var markers = temp.ReadAll(name).Select(r => Header(r.Record, DeadLetterEnvelope.ReplayOfHeader)!).ToList();
            markers.Count.ShouldBe(expected.Count);
            markers.ToHashSet(StringComparer.Ordinal).SetEquals(expected).ShouldBeTrue();
        }, iter: 40);
    }

    private static DeadLetter Letter(int id, DeadLetterKind kind, string reason) =>
        new DeadLetter("log:orders", $"orders/0/{id}", reason, $"{{\"id\":{id}}}")
        {
            Kind = kind,
            Job = "orders-job",
            Origin = new RecordOrigin("orders", 0, id),
            OriginalKey = Encoding.UTF8.GetBytes($"key-{id}"),
        };

    private static void Write(PartitionedLog log, string topic, int partition, DeadLetter letter, long timestampMs = -1)
    {
        var headers = DeadLetterEnvelope.Headers(letter).Select(h => new LogHeader(h.Name, h.Value)).ToArray();
        log.GetPartition(topic, partition).Append([ProducerRecord.FromArrays(letter.OriginalKey, DeadLetterEnvelope.Value(letter), timestampMs, headers)]);
    }

    private static string? Header(ConsumedRecord record, string name) =>
        record.Headers.Where(h => h.Key == name).Select(h => Encoding.UTF8.GetString(h.Value!.Value.Span)).FirstOrDefault();
}
