using Sluice.Log.Tests.Support;
using static Sluice.Log.Tests.Support.TestData;

namespace Sluice.Log.Tests.Damage;

/// <summary>
/// {truncate, append junk, flip a bit, zero a range} × {closed segment, active segment} × {index present, deleted},
/// after a clean close. Each case checks that no intact record is lost (read-only, writable, after repair), that the
/// damage is reported by file and offsets, that a read-only open changes no file, that repair moves exactly the
/// damaged bytes to the quarantine file, and that offsets are never reused.
/// </summary>
public sealed class DamageMatrixTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Every combination, after a clean close and after a crash (no clean-shutdown marker) — except a file
    /// cut inside its last batch after a crash with no index to say otherwise: that is exactly what an append a crash
    /// cut short leaves, and it is handled as one (<see cref="TornTailTests"/>).</summary>
    public static TheoryData<DamageKind, bool, bool, bool> Cases()
    {
        var cases = new TheoryData<DamageKind, bool, bool, bool>();
        foreach (DamageKind kind in Enum.GetValues<DamageKind>())
        {
            foreach (bool activeSegment in new[] { false, true })
            {
                foreach (bool indexPresent in new[] { true, false })
                {
                    foreach (bool unclean in new[] { false, true })
                    {
                        if (!(unclean && kind == DamageKind.Truncate && activeSegment && !indexPresent))
                        {
                            cases.Add(kind, activeSegment, indexPresent, unclean);
                        }
                    }
                }
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Damage_AnyKindAnySegment_NoIntactRecordLostReportedRepairedAndOffsetsNeverReused(DamageKind kind, bool activeSegment, bool indexPresent, bool unclean)
    {
        int[] sizes = [.. Enumerable.Range(0, 120).Select(b => 1 + (b % 4))];
        DamagedLog source = DamagedLog.Write(Path.Combine(_dir.Path, "source"), sizes, segmentBytes: 4096);
        source.SegmentFiles.Count.ShouldBeGreaterThan(3);
        DamagedLog log = source.CopyTo(Path.Combine(_dir.Path, "damaged"));
        string victim = activeSegment ? log.SegmentFiles[^1] : log.SegmentFiles[0];
        if (!indexPresent)
        {
            File.Delete(Path.Combine(log.PartitionDirectory, Path.ChangeExtension(victim, ".index")));
        }

        if (unclean)
        {
            File.Delete(Path.Combine(log.Root, ".clean-shutdown"));
        }

        byte[] original = File.ReadAllBytes(Path.Combine(log.PartitionDirectory, victim));
        (long start, long end) = kind switch
        {
            DamageKind.Truncate => log.Damage(victim, kind, 0, amount: 5, seed: 1),
            DamageKind.AppendJunk => log.Damage(victim, kind, 0, amount: 300, seed: 2),
            DamageKind.FlipBit => log.Damage(victim, kind, 0.5, amount: 1, seed: 3),
            _ => log.Damage(victim, kind, 0.33, amount: 100, seed: 4),
        };
        HashSet<long> lost = log.OffsetsHit(victim, original);
        byte[] damagedVictim = File.ReadAllBytes(Path.Combine(log.PartitionDirectory, victim));
        Dictionary<string, string> before = log.Fingerprint();

        // Read-only: every intact record, the damage reported by file and offsets, and not one file changed.
        using (var readOnly = PartitionedLog.Open(log.Root, Options() with { ReadOnly = true }))
        {
            PartitionLog p = readOnly.GetPartition("t", 0);
            (List<ConsumedRecord> records, List<LogCorruptionException> errors) = DamagedLog.ReadAround(p);
            log.ShouldBeExactlyTheIntactRecords(records, lost);
            foreach (LogCorruptionException e in errors)
            {
                e.Damage!.SegmentFile.ShouldEndWith(victim);
                e.Message.ShouldContain(victim);
                e.Message.ShouldContain("sluice log repair t --partition 0");
            }

            foreach (long offset in lost)
            {
                errors.ShouldContain(e => e.Damage!.FirstOffset <= offset && offset <= e.Damage.LastOffset, $"offset {offset} was destroyed but no error named it");
            }

            LogDamage reported = p.KnownDamage.ShouldHaveSingleItem();
            reported.SegmentFile.ShouldEndWith(victim);
            reported.Position.ShouldBeLessThanOrEqualTo(Math.Min(start, damagedVictim.Length));
            (reported.Position + reported.Length).ShouldBeGreaterThanOrEqualTo(Math.Min(end, damagedVictim.Length));
        }

        log.Fingerprint().ShouldBe(before, "a read-only open must not change any file");

        // Writable open: the same records, and no segment file shortened, changed or deleted.
        using (var writable = PartitionedLog.Open(log.Root, Options()))
        {
            (List<ConsumedRecord> records, _) = DamagedLog.ReadAround(writable.GetPartition("t", 0));
            log.ShouldBeExactlyTheIntactRecords(records, lost);
        }

        foreach (var (file, hash) in before.Where(e => e.Key.EndsWith(".log", StringComparison.Ordinal) && !e.Key.StartsWith("transactions", StringComparison.Ordinal)))
        {
            log.Fingerprint()[file].ShouldBe(hash, $"opening for writing changed {file}");
        }

        // The damage is still reported by the next open, without reading: a writable open must not have left an index
        // that lets the scan be skipped.
        using (var again = PartitionedLog.Open(log.Root, Options() with { ReadOnly = true }))
        {
            again.GetPartition("t", 0).KnownDamage.ShouldHaveSingleItem().SegmentFile.ShouldEndWith(victim);
        }

        // Repair: the damaged bytes, exactly, go to the quarantine file; every intact record stays; offsets stay.
        long appendedAt;
        using (var writable = PartitionedLog.Open(log.Root, Options()))
        {
            IReadOnlyList<QuarantinedRange> moved = writable.Repair("t");
            QuarantinedRange range = moved.ShouldHaveSingleItem();
            range.ByRepair.ShouldBeTrue();
            range.Damage.SegmentFile.ShouldEndWith(victim);
            File.Exists(range.QuarantineFile).ShouldBeTrue();
            PartitionLog p = writable.GetPartition("t", 0);
            QuarantinedRange listed = p.ListQuarantined().ShouldHaveSingleItem();
            listed.Damage.ShouldBe(range.Damage);
            byte[] quarantined = Storage.QuarantineFile.ReadAll(range.QuarantineFile).ShouldHaveSingleItem().Data.ToArray();
            quarantined.ShouldBe(damagedVictim.AsSpan((int)range.Damage.Position, (int)range.Damage.Length).ToArray());
            foreach (long offset in lost)
            {
                (range.Damage.FirstOffset <= offset && offset <= range.Damage.LastOffset).ShouldBeTrue($"offset {offset} is not in the repaired gap");
            }

            p.KnownDamage.ShouldBeEmpty();
            log.ShouldBeExactlyTheIntactRecords(ReadAll(p), lost);
            writable.Repair("t").ShouldBeEmpty();
            appendedAt = AppendValues(p, 1_000_000, 1).BaseOffset;
            appendedAt.ShouldBeGreaterThanOrEqualTo(log.EndOffset, "an offset that was once assigned must never be assigned again");
        }

        using (var reopened = PartitionedLog.Open(log.Root, Options() with { ReadOnly = true }))
        {
            List<ConsumedRecord> records = ReadAll(reopened.GetPartition("t", 0));
            records[^1].Offset.ShouldBe(appendedAt);
            log.ShouldBeExactlyTheIntactRecords(records[..^1], lost);
        }
    }
    [Fact]
    public void Open_SegmentStartingInsideThePreviousOne_FailsNamingBothFilesAndDeletesNothing()
    {
        int[] sizes = [.. Enumerable.Range(0, 60).Select(b => 1 + (b % 4))];
        DamagedLog log = DamagedLog.Write(Path.Combine(_dir.Path, "overlap"), sizes, segmentBytes: 4096);
        string first = log.SegmentFiles[0];
        string copy = Path.Combine(log.PartitionDirectory, "00000000000000000001.log");
        File.Copy(Path.Combine(log.PartitionDirectory, log.SegmentFiles[1]), copy);
        Dictionary<string, string> before = log.Fingerprint();

        var e = Should.Throw<LogCorruptionException>(() => PartitionedLog.Open(log.Root, Options()));

        e.Message.ShouldContain("00000000000000000001.log");
        e.Message.ShouldContain(first);
        e.Message.ShouldContain("Nothing was changed");
        log.Fingerprint().Keys.Where(k => k.EndsWith(".log", StringComparison.Ordinal)).ShouldBe(before.Keys.Where(k => k.EndsWith(".log", StringComparison.Ordinal)), ignoreOrder: true);
        File.Exists(Path.Combine(log.Root, ".clean-shutdown")).ShouldBeTrue("a failed open keeps the clean-shutdown marker");
        Should.Throw<LogCorruptionException>(() => PartitionedLog.Open(log.Root, Options() with { ReadOnly = true }));
    }
    [Fact]
    public void Open_EmptySegmentFileStartingInsideAnother_IsIgnoredAndEveryRecordStaysReadable()
    {
        int[] sizes = [.. Enumerable.Range(0, 60).Select(b => 1 + (b % 4))];
        DamagedLog log = DamagedLog.Write(Path.Combine(_dir.Path, "stray"), sizes, segmentBytes: 4096);
        File.WriteAllBytes(Path.Combine(log.PartitionDirectory, "00000000000000000001.log"), []);

        using var opened = PartitionedLog.Open(log.Root, Options());

        log.ShouldBeExactlyTheIntactRecords(ReadAll(opened.GetPartition("t", 0)), []);
    }
}
