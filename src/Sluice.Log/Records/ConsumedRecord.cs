namespace Sluice.Log;

/// <summary>An owned copy of a stored record (allocates; use <see cref="LogRecordView"/> on hot paths).</summary>
/// <param name="Offset">Offset in the partition.</param>
/// <param name="TimestampMs">Unix milliseconds.</param>
/// <param name="Key">Key, or null when written without key.</param>
/// <param name="Value">Value, or null for a tombstone.</param>
/// <param name="Headers">Headers (empty when none).</param>
public sealed record ConsumedRecord(long Offset, long TimestampMs, byte[]? Key, byte[]? Value, LogHeader[] Headers)
{
    /// <summary>Copies a record view.</summary>
    /// <param name="view">The view to copy.</param>
    public static ConsumedRecord From(LogRecordView view) =>
        new(
            view.Offset,
            view.TimestampMs,
            view.HasKey ? view.Key.ToArray() : null,
            view.HasValue ? view.Value.ToArray() : null,
            view.CopyHeaders());
}
