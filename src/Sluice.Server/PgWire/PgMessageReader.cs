using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Sluice.Server.PgWire;

/// <summary>
/// Reads frontend messages from a client's stream into one pooled buffer, reused from message to message (a message's
/// body is valid until the next read). Messages above the configured size are refused with SQLSTATE 08P01 before their
/// body is read, so a connection holds at most one message of at most that size. Not thread-safe.
/// </summary>
internal sealed class PgMessageReader : IDisposable
{
    private readonly Stream _stream;
    private readonly int _maxMessageBytes;
    private readonly byte[] _header = new byte[5];
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(4096);

    public PgMessageReader(Stream stream, int maxMessageBytes)
    {
        _stream = stream;
        _maxMessageBytes = maxMessageBytes;
    }

    /// <summary>
    /// Reads the untyped first message (StartupMessage, SSLRequest, GSSENCRequest or CancelRequest): its body after the
    /// length. Null when the client closed the connection before sending one.
    /// </summary>
    /// <exception cref="PgException">08P01: the length is out of range.</exception>
    public async ValueTask<PgBody?> ReadStartupAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(_header.AsMemory(0, 4), cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var length = BinaryPrimitives.ReadInt32BigEndian(_header);
        // 8: the length and a protocol code; 10 000 is PostgreSQL's own ceiling for a startup packet.
        if (length is < 8 or > 10_000)
        {
            throw new PgException(PgSqlState.ProtocolViolation, $"The startup packet's length {length} is out of range (8-10000 bytes).");
        }
        return await ReadBodyAsync(length - 4, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one typed message; null when the client closed the connection between messages.</summary>
    /// <param name="cancellationToken">Ends the read.</param>
    /// <param name="maxMessageBytes">A lower ceiling on the body than the reader's own, or null for the reader's (the
    /// authentication exchange passes a small one, so a client that has not logged in cannot make the server hold a
    /// large buffer).</param>
    /// <exception cref="PgException">08P01: the length is out of range.</exception>
    /// <exception cref="EndOfStreamException">The client closed the connection inside a message.</exception>
    public async ValueTask<(char Type, PgBody Body)?> ReadMessageAsync(CancellationToken cancellationToken, int? maxMessageBytes = null)
    {
        var ceiling = Math.Min(maxMessageBytes ?? _maxMessageBytes, _maxMessageBytes);
        if (!await FillAsync(_header.AsMemory(0, 5), cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var type = (char)_header[0];
        var length = BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(1));
        if (length < 4 || length - 4 > ceiling)
        {
            throw new PgException(PgSqlState.ProtocolViolation, $"Message '{type}' has length {length}, outside 4-{ceiling + 4} bytes.");
        }
        var body = await ReadBodyAsync(length - 4, cancellationToken).ConfigureAwait(false) ?? throw new EndOfStreamException($"The client closed the connection inside message '{type}'.");
        return (type, body);
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask<PgBody?> ReadBodyAsync(int size, CancellationToken cancellationToken)
    {
        if (size > _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(size);
        }
        if (!await FillAsync(_buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        return new PgBody(_buffer, size);
    }

    /// <summary>Fills <paramref name="target"/>; false when the stream ended before its first byte.</summary>
    private async ValueTask<bool> FillAsync(Memory<byte> target, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < target.Length)
        {
            var n = await _stream.ReadAsync(target[read..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return read == 0 ? false : throw new EndOfStreamException("The client closed the connection inside a message.");
            }
            read += n;
        }
        return true;
    }
}

/// <summary>
/// A cursor over one message's body (valid until the next read of its <see cref="PgMessageReader"/>). A read past the
/// end throws <see cref="PgException"/> 08P01 naming the field.
/// </summary>
internal sealed class PgBody
{
    private readonly byte[] _bytes;
    private readonly int _length;
    private int _position;

    public PgBody(byte[] bytes, int length)
    {
        _bytes = bytes;
        _length = length;
    }

    /// <summary>Bytes not read yet.</summary>
    public int Remaining => _length - _position;

    public short ReadInt16(string field)
    {
        var span = Take(2, field);
        return BinaryPrimitives.ReadInt16BigEndian(span);
    }

    /// <summary>A count (Int16) of the items that follow: refused as a protocol violation when negative.</summary>
    /// <exception cref="PgException">08P01: the count is negative.</exception>
    public int ReadCount(string field)
    {
        var count = ReadInt16(field);
        return count >= 0 ? count : throw new PgException(PgSqlState.ProtocolViolation, $"invalid {field} {count}: a count cannot be negative");
    }

    public int ReadInt32(string field)
    {
        var span = Take(4, field);
        return BinaryPrimitives.ReadInt32BigEndian(span);
    }

    public byte ReadByte(string field) => Take(1, field)[0];

    public ReadOnlySpan<byte> ReadBytes(int count, string field) => Take(count, field);

    /// <summary>A null-terminated UTF-8 string.</summary>
    public string ReadCString(string field)
    {
        var rest = _bytes.AsSpan(_position, _length - _position);
        var end = rest.IndexOf((byte)0);
        if (end < 0)
        {
            throw new PgException(PgSqlState.ProtocolViolation, $"The message ends inside its {field} (no terminating zero byte).");
        }
        _position += end + 1;
        return Encoding.UTF8.GetString(rest[..end]);
    }

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count < 0 || count > Remaining)
        {
            throw new PgException(PgSqlState.ProtocolViolation, $"The message ends inside its {field} ({count} bytes wanted at offset {_position}, {Remaining} left).");
        }
        var span = _bytes.AsSpan(_position, count);
        _position += count;
        return span;
    }
}
