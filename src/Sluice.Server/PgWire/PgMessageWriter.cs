using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;

namespace Sluice.Server.PgWire;

/// <summary>
/// Writes backend messages (type byte, Int32 length including itself, body) into one pooled buffer and sends them on
/// <see cref="FlushAsync"/>. One message is open at a time (<see cref="Begin"/> … <see cref="End"/>); the buffer grows
/// to hold the largest message and is sent whenever it passes <see cref="FlushThreshold"/> bytes between messages, so a
/// connection holds at most one message plus 64 KiB however many rows a query returns. Not thread-safe: one
/// connection's loop owns it.
/// </summary>
internal sealed class PgMessageWriter : IDisposable
{
    /// <summary>The buffered bytes after which <see cref="ShouldFlush"/> is true.</summary>
    public const int FlushThreshold = 64 << 10;

    private readonly Stream _stream;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(FlushThreshold + 1024);
    private int _length;
    private int _messageStart = -1;

    public PgMessageWriter(Stream stream) => _stream = stream;

    /// <summary>Whether enough is buffered that the caller should flush before the next message.</summary>
    public bool ShouldFlush => _length >= FlushThreshold;

    /// <summary>Opens a message of type <paramref name="type"/> (e.g. <c>'D'</c> for DataRow).</summary>
    public void Begin(char type)
    {
        Debug.Assert(_messageStart < 0, "A message is already open.");
        Ensure(5);
        _messageStart = _length;
        _buffer[_length] = (byte)type;
        _length += 5;
    }

    /// <summary>Closes the open message: writes its length.</summary>
    public void End()
    {
        Debug.Assert(_messageStart >= 0, "No message is open.");
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_messageStart + 1), _length - _messageStart - 1);
        _messageStart = -1;
    }

    /// <summary>Drops the open message (for a row that failed to encode half-way).</summary>
    public void Abandon()
    {
        if (_messageStart >= 0)
        {
            _length = _messageStart;
            _messageStart = -1;
        }
    }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void WriteInt16(short value)
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), value);
        _length += 2;
    }

    public void WriteInt32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>A null-terminated UTF-8 string.</summary>
    public void WriteCString(string value)
    {
        WriteUtf8(value);
        WriteByte(0);
    }

    /// <summary><paramref name="value"/> as UTF-8, without a terminator or length.</summary>
    public void WriteUtf8(ReadOnlySpan<char> value)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(value.Length));
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    /// <summary>
    /// Reserves a 4-byte length slot and returns its position, for a value whose size is known only after writing it
    /// (a DataRow column); <see cref="EndLength"/> fills it.
    /// </summary>
    public int BeginLength()
    {
        Ensure(4);
        var at = _length;
        _length += 4;
        return at;
    }

    /// <summary>Fills the slot <paramref name="at"/> from <see cref="BeginLength"/> with the bytes written since.</summary>
    public void EndLength(int at) => BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(at), _length - at - 4);

    /// <summary>Space for <paramref name="size"/> bytes at the end, to be committed with <see cref="Advance"/>.</summary>
    public Span<byte> GetSpan(int size)
    {
        Ensure(size);
        return _buffer.AsSpan(_length, size);
    }

    public void Advance(int count) => _length += count;

    /// <summary>Sends every complete message buffered.</summary>
    /// <exception cref="IOException">The client is gone.</exception>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        Debug.Assert(_messageStart < 0, "Flushing inside a message.");
        if (_length > 0)
        {
            await _stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
            _length = 0;
        }
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int size)
    {
        if (_length + size <= _buffer.Length)
        {
            return;
        }
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + size));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
