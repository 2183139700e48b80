using System.Text;
using Sluice.Formats;
using Sluice.Log;

namespace Sluice.Connectors.Log;

/// <summary>Reads a log record's encoded headers for a <see cref="MessageView"/>, without allocating. Stateless.</summary>
internal sealed class LogHeaderAccessor : IMessageHeaderAccessor
{
    public static LogHeaderAccessor Instance { get; } = new();

    public int Count(ReadOnlySpan<byte> encoded, object? state) => LogRecordView.HeaderCountOf(encoded);

    public bool TryGet(ReadOnlySpan<byte> encoded, object? state, string name, out ReadOnlySpan<byte> value)
    {
        var length = Encoding.UTF8.GetByteCount(name);
        Span<byte> utf8 = length <= 256 ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(name, utf8);
        return LogRecordView.TryGetHeader(encoded, utf8, last: true, out value);
    }

    public IReadOnlyList<MessageHeader> Copy(ReadOnlySpan<byte> encoded, object? state)
    {
        var headers = LogRecordView.CopyHeaders(encoded);
        if (headers.Length == 0)
        {
            return [];
        }
        var copy = new MessageHeader[headers.Length];
        for (var i = 0; i < headers.Length; i++)
        {
            copy[i] = new MessageHeader(headers[i].Key, headers[i].Value?.ToArray());
        }
        return copy;
    }
}
