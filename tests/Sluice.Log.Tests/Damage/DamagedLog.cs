using Sluice.Log.Tests.Support;
using static Sluice.Log.Tests.Support.TestData;

namespace Sluice.Log.Tests.Damage;

/// <summary>Kinds of damage the corruption tests apply to a segment file.</summary>
public enum DamageKind
{
    Truncate,
    AppendJunk,
    FlipBit,
    ZeroRange,
}

/// <summary>One appended batch, located by watching the segment files grow (not by reading them back with the log).</summary>
public sealed record WrittenBatch(string File, long Start, long End, long FirstOffset, long LastOffset);

/// <summary>
/// A log written by the test (topic "t", one partition, small segments), closed cleanly, then copied and damaged.
/// Which records a damage destroys is computed from <see cref="WrittenBatch"/> byte ranges, independently of the
/// log's own reading code.
/// </summary>
public sealed class DamagedLog
{
    private DamagedLog(string root, List<WrittenBatch> batches, long endOffset)
    {
        Root = root;
        Batches = batches;
        EndOffset = endOffset;
    }

    public string Root { get; }

    public IReadOnlyList<WrittenBatch> Batches { get; }

    /// <summary>The partition's end offset when it was closed: every later append must get an offset at or above it.</summary>
    public long EndOffset { get; }

    public string PartitionDirectory => Path.Combine(Root, "topics", "t", "0");

    /// <summary>Segment file names in offset order.</summary>
    public IReadOnlyList<string> SegmentFiles => [.. Batches.Select(b => b.File).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>Writes <paramref name="batchSizes"/>.Length batches (record i has key k{i} and value ValueFor(i)) and closes the log cleanly.</summary>
    public static DamagedLog Write(string root, IReadOnlyList<int> batchSizes, long segmentBytes, Func<long, string>? valueFor = null)
    {
        valueFor ??= ValueFor;
        var batches = new List<WrittenBatch>();
        long next = 0;
        using (var log = PartitionedLog.Open(root, Options()))
        {
            PartitionLog p = log.CreateTopic("t", new TopicConfig { SegmentBytes = segmentBytes }).GetPartition(0);
            string dir = Path.Combine(root, "topics", "t", "0");
            string? previousFile = null;
            long previousLength = 0;
            foreach (int size in batchSizes)
            {
                var records = new ProducerRecord[size];
                for (int i = 0; i < size; i++)
                {
                    records[i] = Record($"k{next + i}", valueFor(next + i));
                }

                AppendResult r = p.Append(records);
                string file = Directory.GetFiles(dir, "*.log").Select(Path.GetFileName).Order(StringComparer.Ordinal).Last()!;
                long length = new FileInfo(Path.Combine(dir, file)).Length;
                long start = file == previousFile ? previousLength : 0;
                batches.Add(new WrittenBatch(file, start, length, r.BaseOffset, r.LastOffset));
                previousFile = file;
                previousLength = length;
                next = r.LastOffset + 1;
            }
        }

        return new DamagedLog(root, batches, next);
    }

    /// <summary>Copies the whole data directory.</summary>
    public DamagedLog CopyTo(string target)
    {
        foreach (string file in Directory.GetFiles(Root, "*", SearchOption.AllDirectories))
        {
            string dest = Path.Combine(target, Path.GetRelativePath(Root, file));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest);
        }

        return new DamagedLog(target, [.. Batches], EndOffset);
    }

    /// <summary>Damages <paramref name="file"/> and returns the damaged byte range [start, end) of it.</summary>
    /// <param name="file">Segment file name.</param>
    /// <param name="kind">What to do.</param>
    /// <param name="at">Where, as a fraction of the file length (FlipBit, ZeroRange) .</param>
    /// <param name="amount">Bytes cut (Truncate), appended (AppendJunk) or zeroed (ZeroRange).</param>
    /// <param name="seed">Seed of the junk bytes and the flipped bit.</param>
    public (long Start, long End) Damage(string file, DamageKind kind, double at, int amount, int seed)
    {
        string path = Path.Combine(PartitionDirectory, file);
        byte[] bytes = File.ReadAllBytes(path);
        var random = new Random(seed);
        long start, end;
        switch (kind)
        {
            case DamageKind.Truncate:
                amount = Math.Clamp(amount, 1, bytes.Length);
                File.WriteAllBytes(path, bytes[..^amount]);
                return (bytes.Length - amount, bytes.Length);
            case DamageKind.AppendJunk:
                byte[] junk = new byte[amount];
                random.NextBytes(junk);
                File.WriteAllBytes(path, [.. bytes, .. junk]);
                return (bytes.Length, bytes.Length + amount);
            case DamageKind.FlipBit:
                start = Math.Min((long)(at * bytes.Length), bytes.Length - 1);
                bytes[start] ^= (byte)(1 << random.Next(8));
                end = start + 1;
                break;
            default:
                start = Math.Min((long)(at * bytes.Length), bytes.Length - 1);
                end = Math.Min(start + amount, bytes.Length);
                while (start > 0 && bytes.AsSpan((int)start, (int)(end - start)).IndexOfAnyExcept((byte)0) < 0)
                {
                    // Already zero: this "damage" would change nothing; widen it backwards until it does.
                    start--;
                }

                bytes.AsSpan((int)start, (int)(end - start)).Clear();
                break;
        }

        File.WriteAllBytes(path, bytes);
        return (start, end);
    }

    /// <summary>Offsets of the batches of <paramref name="file"/> whose bytes the damage changed or removed (records
    /// destroyed by it), found by comparing the file with its bytes before the damage.</summary>
    public HashSet<long> OffsetsHit(string file, byte[] before)
    {
        byte[] after = File.ReadAllBytes(Path.Combine(PartitionDirectory, file));
        var hit = new HashSet<long>();
        foreach (WrittenBatch b in Batches)
        {
            bool changed = b.File == file
                && (b.End > after.Length || !after.AsSpan((int)b.Start, (int)(b.End - b.Start)).SequenceEqual(before.AsSpan((int)b.Start, (int)(b.End - b.Start))));
            if (changed)
            {
                for (long o = b.FirstOffset; o <= b.LastOffset; o++)
                {
                    hit.Add(o);
                }
            }
        }

        return hit;
    }

    /// <summary>SHA-256 of every file of the data directory except the lock files, by relative path.</summary>
    public Dictionary<string, string> Fingerprint() => TestData.Fingerprint(Root);

    /// <summary>
    /// Reads the whole partition like a consumer that steps over reported damage: on
    /// <see cref="LogCorruptionException"/> it records the error and continues after its last offset.
    /// </summary>
    public static (List<ConsumedRecord> Records, List<LogCorruptionException> Errors) ReadAround(PartitionLog p)
    {
        var records = new List<ConsumedRecord>();
        var errors = new List<LogCorruptionException>();
        using var result = new FetchResult();
        long offset = p.LogStartOffset;
        while (offset < p.EndOffset)
        {
            try
            {
                p.Fetch(offset, new FetchOptions(1000, 64 * 1024, IsolationLevel.ReadUncommitted), result);
            }
            catch (LogCorruptionException e)
            {
                errors.Add(e);
                e.Damage.ShouldNotBeNull();
                e.Damage.LastOffset.ShouldBeGreaterThanOrEqualTo(offset, "a reported damage must cover the offset that was asked for");
                offset = e.Damage.LastOffset + 1;
                errors.Count.ShouldBeLessThan(1000, "reading around damage must make progress");
                continue;
            }

            records.AddRange(result.ToList());
            if (result.NextOffset == offset)
            {
                break;
            }

            offset = result.NextOffset;
        }

        return (records, errors);
    }

    /// <summary>Asserts that <paramref name="records"/> are exactly the written records whose offsets are not in
    /// <paramref name="lost"/>, in order, with their keys and values.</summary>
    public void ShouldBeExactlyTheIntactRecords(List<ConsumedRecord> records, HashSet<long> lost, Func<long, string>? valueFor = null)
    {
        valueFor ??= ValueFor;
        long[] expected = [.. Enumerable.Range(0, (int)EndOffset).Select(i => (long)i).Where(o => !lost.Contains(o))];
        records.Select(r => r.Offset).ShouldBe(expected);
        foreach (ConsumedRecord r in records)
        {
            Text(r.Key).ShouldBe($"k{r.Offset}");
            Text(r.Value).ShouldBe(valueFor(r.Offset));
        }
    }
}
