using Sluice.Server.Ingest;

namespace Sluice.Server.Tests.Ingest;

public sealed class IdempotencyTests
{
    // Version 1 of the header, written by hand from the layout in IdempotencyHeader's documentation.
    private static readonly byte[] s_goldenV1 =
    [
        0x01,                                           // version
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x00, // receivedMs = 0x0006050403020100
        0x02, 0x00, 0x00, 0x00,                         // partitions = 2
        0x05, 0x00, 0x00, 0x00,                         // records = 5
        0x01, 0x00, 0x00, 0x00,                         // deadLettered = 1
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, // body hash
        0x03, 0x00,                                     // key length
        (byte)'k', (byte)'-', (byte)'1',                // key
    ];

    private static readonly IdempotencyMark s_mark = new("k-1", new UInt128(0x1F1E1D1C1B1A1918, 0x1716151413121110), 0x0006050403020100, 2, 5, 1);

    [Fact]
    public void Encode_Version1_MatchesTheGoldenBytes() => IdempotencyHeader.Encode(s_mark).ShouldBe(s_goldenV1);

    [Fact]
    public void TryDecode_GoldenVersion1_ReadsEveryField()
    {
        IdempotencyHeader.TryDecode(s_goldenV1, out var mark).ShouldBeTrue();

        mark.ShouldBe(s_mark);
    }

    [Fact]
    public void TryDecode_LaterVersionWithMoreFields_ReadsTheVersion1Fields()
    {
        byte[] later = [.. s_goldenV1, 0xAA, 0xBB];
        later[0] = 2;

        IdempotencyHeader.TryDecode(later, out var mark).ShouldBeTrue();

        mark.ShouldBe(s_mark);
    }

    [Fact]
    public void TryDecode_CutShort_IsFalse() => IdempotencyHeader.TryDecode(s_goldenV1.AsSpan(0, 40), out _).ShouldBeFalse();

    [Fact]
    public void Begin_SecondRequestWhileTheFirstRuns_IsPending()
    {
        var index = new IdempotencyIndex();

        index.Begin("k", 7, 1_000).State.ShouldBe(IdempotencyState.New);
        index.Begin("k", 7, 1_001).State.ShouldBe(IdempotencyState.Pending);
    }

    [Fact]
    public void Begin_AfterDone_ReplaysAndAfter24HoursStartsAfresh()
    {
        var index = new IdempotencyIndex();
        index.Begin("k", 7, 1_000);
        index.End("k", [new PartitionRange(0, 10, 12)], partitions: 1, deadLettered: 0);

        var replay = index.Begin("k", 7, 1_000 + 86_399_999);
        var other = index.Begin("k", 8, 1_000 + 86_399_999);
        var expired = index.Begin("k", 8, 1_000 + 86_400_000);

        replay.State.ShouldBe(IdempotencyState.Done);
        replay.Answer.Parts.ShouldBe([new PartitionRange(0, 10, 12)]);
        other.State.ShouldBe(IdempotencyState.Mismatch);
        expired.State.ShouldBe(IdempotencyState.New);
    }

    [Fact]
    public void Load_OnePartOfTwo_ResumesWithThatPart()
    {
        var index = new IdempotencyIndex();
        index.Load(new IdempotencyMark("k", 7, 1_000, Partitions: 2, Records: 3, DeadLettered: 0), partition: 1, offset: 40, nowMs: 2_000);

        var lookup = index.Begin("k", 7, 2_000);

        lookup.State.ShouldBe(IdempotencyState.Resume);
        lookup.Answer.Parts.ShouldBe([new PartitionRange(1, 40, 42)]);
        lookup.Answer.ReceivedMs.ShouldBe(1_000);
    }

    [Fact]
    public void Load_BothParts_IsDone()
    {
        var index = new IdempotencyIndex();
        index.Load(new IdempotencyMark("k", 7, 1_000, 2, 3, 0), 1, 40, 2_000);
        index.Load(new IdempotencyMark("k", 7, 1_000, 2, 1, 0), 0, 9, 2_000);

        var lookup = index.Begin("k", 7, 2_000);

        lookup.State.ShouldBe(IdempotencyState.Done);
        lookup.Answer.Parts.OrderBy(p => p.Partition).ShouldBe([new PartitionRange(0, 9, 9), new PartitionRange(1, 40, 42)]);
    }

    [Fact]
    public void Gate_FullOfRequests_RefusesUntilOneLeaves()
    {
        var gate = new IngestGate(maxRequests: 2, maxBytes: 100);

        gate.TryEnterRequest().ShouldBeTrue();
        gate.TryEnterRequest().ShouldBeTrue();
        gate.TryEnterRequest().ShouldBeFalse();
        gate.ExitRequest();
        gate.TryEnterRequest().ShouldBeTrue();
        gate.Requests.ShouldBe(2);
    }

    [Fact]
    public void Gate_Bytes_OneRequestMayTakeAllButTwoMayNotExceedIt()
    {
        var gate = new IngestGate(maxRequests: 10, maxBytes: 100);

        gate.TryTakeBytes(150).ShouldBeTrue();
        gate.TryTakeBytes(1).ShouldBeFalse();
        gate.ReturnBytes(150);
        gate.TryTakeBytes(60).ShouldBeTrue();
        gate.TryTakeBytes(41).ShouldBeFalse();
        gate.TryTakeBytes(40).ShouldBeTrue();
        gate.Bytes.ShouldBe(100);
    }
}
