using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Sluice.Server.Tests.PgWire;

/// <summary>
/// A bare protocol-3.0 client over a socket, for what real clients never send (bad messages, a vanishing client):
/// writes frontend messages byte by byte as the PostgreSQL documentation lays them out, and reads backend messages.
/// </summary>
internal sealed class RawPgClient : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawPgClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _stream.ReadTimeout = 15_000;
    }

    public static async Task<RawPgClient> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        return new RawPgClient(tcp);
    }

    /// <summary>Sends a StartupMessage for protocol 3.0 with user <paramref name="user"/>.</summary>
    public void SendStartup(string user)
    {
        var body = new List<byte>();
        body.AddRange(Int32(196608));
        foreach (var text in new[] { "user", user, "database", "sluice" })
        {
            body.AddRange(Encoding.UTF8.GetBytes(text));
            body.Add(0);
        }
        body.Add(0);
        _stream.Write(Int32(body.Count + 4));
        _stream.Write(body.ToArray());
    }

    /// <summary>Sends an untyped 8-byte request (SSLRequest 80877103, GSSENCRequest 80877104).</summary>
    public void SendRequestCode(int code)
    {
        _stream.Write(Int32(8));
        _stream.Write(Int32(code));
    }

    /// <summary>Sends a typed message with <paramref name="body"/>.</summary>
    public void Send(char type, byte[] body)
    {
        _stream.WriteByte((byte)type);
        _stream.Write(Int32(body.Length + 4));
        _stream.Write(body);
    }

    /// <summary>Sends only the type and length of a message whose body would be <paramref name="bodyLength"/> bytes.</summary>
    public void SendHeader(char type, int bodyLength)
    {
        _stream.WriteByte((byte)type);
        _stream.Write(Int32(bodyLength + 4));
    }

    public void SendQuery(string sql) => Send('Q', [.. Encoding.UTF8.GetBytes(sql), 0]);

    /// <summary>Reads one byte (the answer to SSLRequest).</summary>
    public int ReadByte() => _stream.ReadByte();

    /// <summary>Reads one backend message; null when the server closed the connection.</summary>
    public (char Type, byte[] Body)? Read()
    {
        var header = new byte[5];
        if (!Fill(header))
        {
            return null;
        }
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4];
        return Fill(body) ? ((char)header[0], body) : null;
    }

    /// <summary>Reads messages up to and including the first of type <paramref name="type"/>; all of them.</summary>
    public List<(char Type, byte[] Body)> ReadUntil(char type)
    {
        var messages = new List<(char, byte[])>();
        while (Read() is { } message)
        {
            messages.Add(message);
            if (message.Type == type)
            {
                return messages;
            }
        }
        throw new EndOfStreamException($"The server closed the connection before message '{type}'; got {string.Concat(messages.Select(m => m.Item1))}.");
    }

    /// <summary>The SQLSTATE (field 'C') of an ErrorResponse body.</summary>
    public static string SqlState(byte[] error) => Field(error, 'C');

    /// <summary>A field of an ErrorResponse body.</summary>
    public static string Field(byte[] error, char code)
    {
        var at = 0;
        while (at < error.Length && error[at] != 0)
        {
            var end = Array.IndexOf(error, (byte)0, at + 1);
            if (error[at] == code)
            {
                return Encoding.UTF8.GetString(error, at + 1, end - at - 1);
            }
            at = end + 1;
        }
        throw new InvalidDataException($"The error has no field '{code}'.");
    }

    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
    }

    private bool Fill(byte[] buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = _stream.Read(buffer, read, buffer.Length - read);
            }
            catch (IOException)
            {
                return false;
            }
            if (n == 0)
            {
                return false;
            }
            read += n;
        }
        return true;
    }

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }
}
