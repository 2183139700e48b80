using System.Runtime.InteropServices;
using RocksDbSharp;

namespace Sluice.Runtime.State;

/// <summary>
/// Waiting for a RocksDB database's background flushes and compactions without ever blocking inside RocksDB.
/// </summary>
/// <remarks>
/// <para>
/// A write RocksDB stalls (memtables waiting for their flush, too many level-0 files) would normally block in
/// RocksDB until the stall clears. If the flush it waits for fails on a full disk, RocksDB sets a background error and
/// starts its own recovery, which polls for free space — and the blocked writer waits for that recovery, for good if
/// the disk stays full: the task thread would hang instead of failing the job. So the backend writes with
/// <c>no_slowdown</c> (a stalled write returns at once, <see cref="IsStall"/>) and waits here, in slices of at most
/// <see cref="Slice"/>, for the background work — which returns the background error as soon as there is one.
/// </para>
/// <para>Owns a native options object: dispose after the database.</para>
/// </remarks>
internal sealed class RocksDbBackgroundWork : IDisposable
{
    /// <summary>The longest single wait; a stall is re-checked (the write retried) after it.</summary>
    public static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(20);

    private const string TimedOutPrefix = "Operation timed out";
    private const string IncompletePrefix = "Result incomplete";
    private IntPtr _options;

    public RocksDbBackgroundWork()
    {
        _options = Native.Instance.rocksdb_wait_for_compact_options_create();
        Native.Instance.rocksdb_wait_for_compact_options_set_timeout(_options, (ulong)(Slice.Ticks / 10)); // microseconds
    }

    /// <summary>Makes writes with <paramref name="options"/> fail with a stall (<see cref="IsStall"/>) instead of blocking.</summary>
    public static WriteOptions NoSlowdown(WriteOptions options)
    {
        Native.Instance.rocksdb_writeoptions_set_no_slowdown(options.Handle, 1);
        return options;
    }

    /// <summary>True when a write failed only because RocksDB stalls writes (RocksDB's <c>Status::Incomplete</c>); retry it after <see cref="Wait"/>.</summary>
    public static bool IsStall(RocksDbException error) => error.Message.StartsWith(IncompletePrefix, StringComparison.Ordinal);

    /// <summary>
    /// Waits until <paramref name="db"/> has no flush or compaction running or scheduled, or <see cref="Slice"/> has
    /// passed, or a background operation failed. Any thread.
    /// </summary>
    /// <returns>RocksDB's background error (a failed flush or compaction: the text names the file and the OS error), or null.</returns>
    public string? Wait(RocksDb db)
    {
        ObjectDisposedException.ThrowIf(_options == IntPtr.Zero, this);
        Native.Instance.rocksdb_wait_for_compact(db.Handle, _options, out var error);
        if (error == IntPtr.Zero)
        {
            return null;
        }
        var text = Marshal.PtrToStringUTF8(error);
        Native.Instance.rocksdb_free(error);
        return text is null || text.StartsWith(TimedOutPrefix, StringComparison.Ordinal) ? null : text;
    }

    public void Dispose()
    {
        if (_options != IntPtr.Zero)
        {
            Native.Instance.rocksdb_wait_for_compact_options_destroy(_options);
            _options = IntPtr.Zero;
        }
    }
}
