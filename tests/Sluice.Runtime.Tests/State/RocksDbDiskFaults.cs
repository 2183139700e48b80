using System.Globalization;
using RocksDbSharp;
using Sluice.Runtime.State;

namespace Sluice.Runtime.Tests.State;

/// <summary>
/// Disk faults for RocksDB tests that work as root (where chmod stops nothing) and need no mount: the SST files a
/// database will create next are made symbolic links to <c>/dev/full</c>, on which every write fails in the kernel with
/// ENOSPC ("No space left on device"). RocksDB opens them like any file, so its own flush fails as on a full disk.
/// What is simulated: a disk that fills up after the database opened — new files cannot be written, existing ones are
/// unaffected, reads keep working. A read-only file system (EROFS) fails the same flush the same way, with another
/// error text; it cannot be produced without a mount.
/// </summary>
internal static class RocksDbDiskFaults
{
    /// <summary>Turns every SST file number 1..<paramref name="count"/> not yet used in <paramref name="directory"/> into a link to /dev/full.</summary>
    public static void FillDisk(string directory, int count = 2_000)
    {
        for (var number = 1; number <= count; number++)
        {
            var path = Path.Combine(directory, number.ToString("D6", CultureInfo.InvariantCulture) + ".sst");
            if (!File.Exists(path))
            {
                File.CreateSymbolicLink(path, "/dev/full");
            }
        }
    }

    /// <summary>
    /// Flushes every state's memtable now and waits (what RocksDB does on its own when a memtable fills up, but at a
    /// moment the test chooses). A failure is RocksDB's background error: the database stops accepting writes.
    /// </summary>
    /// <returns>RocksDB's error, or null when the flush succeeded.</returns>
    public static string? FlushNow<TKey>(RocksDbKeyedStateBackend<TKey> backend, string state) where TKey : notnull
    {
        var options = new FlushOptions().SetWaitForFlush(true);
        try
        {
            Native.Instance.rocksdb_flush_cf(backend.Db.Handle, options.Handle, backend.Db.GetColumnFamily("state:" + state).Handle);
            return null;
        }
        catch (RocksDbException e)
        {
            return e.Message;
        }
        finally
        {
            GC.KeepAlive(options);
        }
    }
}
