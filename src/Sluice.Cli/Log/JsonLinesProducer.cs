using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Sluice.Log;

namespace Sluice.Cli.Log;

/// <summary>
/// Appends JSON lines to a topic for <c>sluice log produce</c>. Reads bytes, never decoded text: a line is the bytes
/// up to <c>\n</c> (a trailing <c>\r</c> belongs to the terminator; a UTF-8 byte order mark before the first line is
/// skipped), and its value is exactly those bytes — never trimmed, re-encoded or repaired. Every line is one of: a
/// record (valid UTF-8 holding exactly one JSON value, validated whole before it joins a batch, so no partial record is
/// ever written), malformed (invalid UTF-8 or JSON; reported with its line number, then the run stops or, with
/// <c>skipMalformed</c>, skips it), or blank (only spaces, tabs or <c>\r</c>; counted, not written). The summary on
/// stderr accounts for every line: lines read = records written + malformed + blank. Records are batched per partition
/// (Kafka partitioning on the key field). No allocation per line except for a key that contains JSON escapes. Not
/// thread-safe.
/// </summary>
internal sealed class JsonLinesProducer(TopicLog topic, string? keyField, bool skipMalformed)
{
    private const int BatchRecords = 1000;
    private const int InitialBufferBytes = 64 * 1024;
    private readonly byte[]? _keyField = keyField is null ? null : Encoding.UTF8.GetBytes(keyField);
    private long _lines;
    private long _written;
    private long _malformed;
    private long _blank;

    /// <summary>
    /// Reads <paramref name="input"/> to its end (or to the first malformed line without <c>skipMalformed</c>) and
    /// appends its records; returns the exit code: 0 every non-blank line was written, 1 a malformed line stopped the
    /// run (earlier records stay written), 3 malformed lines were skipped. The caller owns <paramref name="input"/>.
    /// </summary>
    public int Run(Stream input)
    {
        var builders = new RecordBatchBuilder[topic.PartitionCount];
        for (int i = 0; i < builders.Length; i++)
        {
            builders[i] = new RecordBatchBuilder(64 * 1024);
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);
        var clock = Stopwatch.StartNew();
        try
        {
            int start = 0, end = 0, scanned = 0;
            bool endOfInput = false, firstLine = true;
            while (true)
            {
                int newline = buffer.AsSpan(scanned, end - scanned).IndexOf((byte)'\n');
                ReadOnlySpan<byte> line;
                if (newline >= 0)
                {
                    line = buffer.AsSpan(start, scanned + newline - start);
                    start = scanned = scanned + newline + 1;
                }
                else if (endOfInput)
                {
                    if (start == end)
                    {
                        break;
                    }

                    line = buffer.AsSpan(start, end - start); // The last line has no terminator.
                    start = scanned = end;
                }
                else
                {
                    // Need more bytes: move the partial line to the front, grow when it fills the buffer, read.
                    if (start > 0)
                    {
                        buffer.AsSpan(start, end - start).CopyTo(buffer);
                        end -= start;
                        start = 0;
                    }
                    else if (end == buffer.Length)
                    {
                        byte[] larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, end).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    scanned = end;
                    int read = input.Read(buffer, end, buffer.Length - end);
                    endOfInput = read == 0;
                    end += read;
                    continue;
                }

                if (firstLine && line.StartsWith(Encoding.UTF8.Preamble))
                {
                    line = line[Encoding.UTF8.Preamble.Length..];
                }

                firstLine = false;
                if (!Add(TrimTerminator(line), builders))
                {
                    _written += FlushAll(builders);
                    PrintSummary(clock, stoppedAtLine: true);
                    return 1;
                }

                if (_lines % 100_000 == 0)
                {
                    Console.Error.WriteLine($"{_lines} lines read, {_written} records written ({_lines / Math.Max(clock.Elapsed.TotalSeconds, 0.001):F0} lines/s)");
                }
            }

            _written += FlushAll(builders);
            PrintSummary(clock, stoppedAtLine: false);
            return _malformed > 0 ? 3 : 0;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            foreach (RecordBatchBuilder b in builders)
            {
                b.Dispose();
            }
        }
    }

    private static ReadOnlySpan<byte> TrimTerminator(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    /// <summary>Counts and classifies one line, adding it to its partition's batch when it is a record; false = stop the run.</summary>
    private bool Add(ReadOnlySpan<byte> line, RecordBatchBuilder[] builders)
    {
        _lines++;
        if (line.IndexOfAnyExcept(" \t\r"u8) < 0)
        {
            _blank++;
            return true;
        }

        if (!Utf8.IsValid(line))
        {
            return Malformed($"invalid UTF-8 at byte {FirstInvalidByte(line) + 1}");
        }

        bool hasKey;
        byte[]? escapedKey;
        Range keyRange;
        try
        {
            hasKey = TryFindKey(line, out keyRange, out escapedKey);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a key escape that is not valid UTF-16 (a lone surrogate) cannot be unescaped.
            return Malformed($"malformed JSON ({e.Message})");
        }

        int partition;
        RecordBatchBuilder builder;
        if (hasKey)
        {
            ReadOnlySpan<byte> key = escapedKey ?? line[keyRange];
            partition = topic.PartitionFor(key);
            builder = builders[partition];
            builder.Add(key, line);
        }
        else
        {
            partition = topic.PartitionFor(default, keyIsNull: true);
            builder = builders[partition];
            builder.AddWithoutKey(line);
        }

        if (builder.Count >= BatchRecords)
        {
            topic.GetPartition(partition).Append(builder);
            _written += builder.Count;
            builder.Clear();
        }

        return true;
    }

    private bool Malformed(string reason)
    {
        _malformed++;
        Console.Error.WriteLine($"line {_lines}: {reason}{(skipMalformed ? "; skipped" : "; stopping (use --skip-malformed to continue)")}");
        return skipMalformed;
    }

    /// <summary>
    /// Validates <paramref name="json"/> as exactly one JSON value and finds the key: the first top-level property named
    /// <c>--key-field</c> of an object. A string key is its unescaped text (in <paramref name="escapedKey"/> when it had
    /// escapes, else at <paramref name="keyRange"/>); any other value is its JSON text.
    /// </summary>
    /// <exception cref="JsonException">Not exactly one valid JSON value.</exception>
    private bool TryFindKey(ReadOnlySpan<byte> json, out Range keyRange, out byte[]? escapedKey)
    {
        keyRange = default;
        escapedKey = null;
        bool found = false;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        while (reader.Read())
        {
            if (_keyField is not null && !found && reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName
                && reader.ValueTextEquals(_keyField))
            {
                reader.Read();
                found = true;
                if (reader.TokenType == JsonTokenType.String)
                {
                    if (reader.ValueIsEscaped)
                    {
                        escapedKey = Encoding.UTF8.GetBytes(reader.GetString()!);
                    }
                    else
                    {
                        int start = (int)reader.TokenStartIndex + 1; // Past the opening quote.
                        keyRange = start..(start + reader.ValueSpan.Length);
                    }
                }
                else
                {
                    int start = (int)reader.TokenStartIndex;
                    reader.Skip(); // To the end of an object or array value; a no-op for scalars.
                    keyRange = start..(int)reader.BytesConsumed;
                }
            }
        }

        return found;
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> line)
    {
        int offset = 0;
        while (offset < line.Length && Rune.DecodeFromUtf8(line[offset..], out _, out int consumed) == OperationStatus.Done)
        {
            offset += consumed;
        }

        return offset;
    }

    private void PrintSummary(Stopwatch clock, bool stoppedAtLine)
    {
        string malformed = _malformed == 0 ? "0 malformed" : stoppedAtLine ? $"{_malformed} malformed (stopped at line {_lines})" : $"{_malformed} malformed (skipped)";
        Console.Error.WriteLine($"Read {_lines} line(s): {_written} record(s) written to '{topic.Name}', {malformed}, {_blank} blank, in {clock.Elapsed.TotalSeconds:F2} s.");
    }

    private int FlushAll(RecordBatchBuilder[] builders)
    {
        int total = 0;
        for (int i = 0; i < builders.Length; i++)
        {
            if (builders[i].Count > 0)
            {
                topic.GetPartition(i).Append(builders[i]);
                total += builders[i].Count;
                builders[i].Clear();
            }
        }

        return total;
    }
}
