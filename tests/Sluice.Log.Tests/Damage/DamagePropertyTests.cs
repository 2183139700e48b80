using CsCheck;
using Sluice.Log.Tests.Support;
using static Sluice.Log.Tests.Support.TestData;

namespace Sluice.Log.Tests.Damage;

/// <summary>
/// Property: random appends, random damage at a random point of a random segment, after a clean close or a crash,
/// reopen — every acknowledged record outside the damaged batches is still readable (read-only, and after repair),
/// a read-only open changes no file, and after repair no offset is ever assigned twice.
/// </summary>
public sealed class DamagePropertyTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private int _case;

    public void Dispose() => _dir.Dispose();

    /// <param name="Unclean">The shutdown marker is removed, as after a crash (the index survives then: a crash leaves
    /// the last clean close's index files in place).</param>
    public sealed record Case(int[] Sizes, long SegmentBytes, DamageKind Kind, double File, double At, int Amount, int Seed, bool DeleteIndex, bool Unclean);

    private static readonly Gen<Case> s_cases = Gen.Select(
        Gen.Int[1, 6].Array[3, 70],
        Gen.OneOf(Gen.Const(1024L), Gen.Const(2048L), Gen.Const(1L << 20)),
        Gen.Enum<DamageKind>(),
        Gen.Double[0, 1],
        Gen.Double[0, 1],
        Gen.Int[1, 700],
        Gen.Int,
        Gen.Bool,
        Gen.Bool,
        (sizes, segmentBytes, kind, file, at, amount, seed, deleteIndex, unclean) =>
            new Case(sizes, segmentBytes, kind, file, at, amount, seed, deleteIndex && !unclean, unclean));

    [Fact]
    public void RandomAppendsAndDamage_EveryIntactRecordReadableAndOffsetsNeverReused() =>
        s_cases.Sample(Check, iter: 60, threads: 1, print: c => $"{c.Kind} file={c.File:F2} at={c.At:F2} amount={c.Amount} seed={c.Seed} segment={c.SegmentBytes} batches=[{string.Join(',', c.Sizes)}] deleteIndex={c.DeleteIndex} unclean={c.Unclean}");

    private void Check(Case c)
    {
        string root = Path.Combine(_dir.Path, $"case{Interlocked.Increment(ref _case)}");
        DamagedLog log = DamagedLog.Write(root, c.Sizes, c.SegmentBytes);
        IReadOnlyList<string> files = log.SegmentFiles;
        string victim = files[Math.Min((int)(c.File * files.Count), files.Count - 1)];
        if (c.DeleteIndex)
        {
            File.Delete(Path.Combine(log.PartitionDirectory, Path.ChangeExtension(victim, ".index")));
        }

        if (c.Unclean)
        {
            File.Delete(Path.Combine(root, ".clean-shutdown"));
        }

        byte[] original = File.ReadAllBytes(Path.Combine(log.PartitionDirectory, victim));
        log.Damage(victim, c.Kind, c.At, c.Amount, c.Seed);
        HashSet<long> lost = log.OffsetsHit(victim, original);
        Dictionary<string, string> before = log.Fingerprint();
        using (var readOnly = PartitionedLog.Open(root, Options() with { ReadOnly = true }))
        {
            (List<ConsumedRecord> records, _) = DamagedLog.ReadAround(readOnly.GetPartition("t", 0));
            log.ShouldBeExactlyTheIntactRecords(records, lost);
        }

        log.Fingerprint().ShouldBe(before);
        using var writable = PartitionedLog.Open(root, Options());
        PartitionLog p = writable.GetPartition("t", 0);
        (List<ConsumedRecord> beforeRepair, _) = DamagedLog.ReadAround(p);
        log.ShouldBeExactlyTheIntactRecords(beforeRepair, lost);
        writable.Repair("t");
        List<ConsumedRecord> repaired = ReadAll(p);
        log.ShouldBeExactlyTheIntactRecords(repaired, lost);
        AppendValues(p, 1_000_000, 1).BaseOffset.ShouldBeGreaterThanOrEqualTo(log.EndOffset);
    }
}
