namespace Sluice.Log;

/// <summary>Which records a reader may see (Kafka's isolation.level).</summary>
public enum IsolationLevel
{
    /// <summary>Everything appended, up to the high watermark, including open and aborted transactions.</summary>
    ReadUncommitted,

    /// <summary>Only non-transactional and committed transactional records, up to the last stable offset.</summary>
    ReadCommitted,
}

/// <summary>Limits of one fetch. <c>default</c> / 0 values mean the defaults (10 000 records, 1 MiB).</summary>
/// <param name="MaxRecords">At most this many records are returned (0 = <see cref="DefaultMaxRecords"/>).</param>
/// <param name="MaxBytes">Roughly this many bytes of batches are read (0 = <see cref="DefaultMaxBytes"/>); at least one whole batch is always returned.</param>
/// <param name="Isolation">Read-committed readers stop at the last stable offset and skip aborted records.</param>
public readonly record struct FetchOptions(int MaxRecords = FetchOptions.DefaultMaxRecords, int MaxBytes = FetchOptions.DefaultMaxBytes, IsolationLevel Isolation = IsolationLevel.ReadUncommitted)
{
    /// <summary>Default record limit.</summary>
    public const int DefaultMaxRecords = 10_000;

    /// <summary>Default byte budget: 1 MiB.</summary>
    public const int DefaultMaxBytes = 1024 * 1024;
}

/// <summary>Offsets assigned to an appended batch.</summary>
/// <param name="BaseOffset">Offset of the first record.</param>
/// <param name="LastOffset">Offset of the last record.</param>
public readonly record struct AppendResult(long BaseOffset, long LastOffset);
