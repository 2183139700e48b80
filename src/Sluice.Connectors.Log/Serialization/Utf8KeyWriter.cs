using System.Buffers;
using System.Text;

namespace Sluice.Connectors.Log;

/// <summary>Writes text keys as UTF-8 into a buffer writer without an intermediate array.</summary>
internal static class Utf8KeyWriter
{
    public static bool TryWrite(string? key, IBufferWriter<byte> destination)
    {
        if (key is null)
        {
            return false;
        }
        Span<byte> span = destination.GetSpan(Encoding.UTF8.GetMaxByteCount(key.Length));
        destination.Advance(Encoding.UTF8.GetBytes(key, span));
        return true;
    }
}
