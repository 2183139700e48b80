using System.Text;

namespace Sluice.Log.Tests.Support;

public static class TestData
{
    public static LogOptions Options(TimeProvider? time = null, FlushPolicy? flush = null) => new()
    {
        TimeProvider = time ?? new ManualTimeProvider(),
        FlushPolicy = flush ?? FlushPolicy.OperatingSystem,
        MaintenanceInterval = null,
    };

    public static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>SHA-256 of every file below <paramref name="root"/> except the lock files, by relative path: equal
    /// fingerprints mean no file was created, changed or deleted.</summary>
    public static Dictionary<string, string> Fingerprint(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith(".lock", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    public static string Text(byte[]? b) => b is null ? "<null>" : Encoding.UTF8.GetString(b);

    public static ProducerRecord Record(string? key, string? value, long timestampMs = -1) =>
        ProducerRecord.FromArrays(key is null ? null : Bytes(key), value is null ? null : Bytes(value), timestampMs);

    /// <summary>Deterministic value for record i, so any returned record can be checked against what was written.</summary>
    public static string ValueFor(long i) => $"value-{i}-" + new string((char)('a' + (i % 26)), (int)(i % 40));

    public static AppendResult AppendValues(PartitionLog partition, long from, int count)
    {
        var records = new ProducerRecord[count];
        for (int i = 0; i < count; i++)
        {
            records[i] = Record($"k{from + i}", ValueFor(from + i));
        }

        return partition.Append(records);
    }

    public static List<ConsumedRecord> ReadAll(PartitionLog partition, IsolationLevel isolation = IsolationLevel.ReadUncommitted, long? from = null)
    {
        var all = new List<ConsumedRecord>();
        using var result = new FetchResult();
        long offset = from ?? partition.LogStartOffset;
        while (true)
        {
            partition.Fetch(offset, new FetchOptions(1000, 64 * 1024, isolation), result);
            all.AddRange(result.ToList());
            if (result.NextOffset == offset)
            {
                return all;
            }

            offset = result.NextOffset;
        }
    }
}
