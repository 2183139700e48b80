using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Sluice.Log;

namespace Sluice.Cli.Log;

/// <summary>
/// Appends JSON lines to a topic for <c>sluice log produce</c>: each line is validated as a whole JSON value before
/// it is added to a batch (never a partial record); records are batched per partition (Kafka partitioning on the
/// key field). Progress goes to stderr. Not thread-safe.
/// </summary>
internal sealed class JsonLinesProducer(TopicLog topic, string? keyField, bool skipMalformed)
{
    private const int BatchRecords = 1000;

    /// <summary>Reads all lines and appends them; returns the exit code (0 ok, 1 when a malformed line stopped the run, 3 when lines were skipped).</summary>
    public int Run(TextReader input)
    {
        var builders = new RecordBatchBuilder[topic.PartitionCount];
        for (int i = 0; i < builders.Length; i++)
        {
            builders[i] = new RecordBatchBuilder(64 * 1024);
        }

        long lineNumber = 0, written = 0, skipped = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            while (input.ReadLine() is { } line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                byte[] value = Encoding.UTF8.GetBytes(line.Trim());
                byte[]? key;
                try
                {
                    key = ExtractKey(value);
                }
                catch (JsonException e)
                {
                    Console.Error.WriteLine($"line {lineNumber}: malformed JSON ({e.Message}){(skipMalformed ? "; skipped" : "; stopping (use --skip-malformed to continue)")}");
                    if (!skipMalformed)
                    {
                        written += FlushAll(builders);
                        Console.Error.WriteLine($"{written} record(s) written before line {lineNumber}.");
                        return 1;
                    }

                    skipped++;
                    continue;
                }

                int partition = key is null ? topic.PartitionFor(default, keyIsNull: true) : topic.PartitionFor(key);
                RecordBatchBuilder builder = builders[partition];
                if (key is null)
                {
                    builder.AddWithoutKey(value);
                }
                else
                {
                    builder.Add(key, value);
                }

                if (builder.Count >= BatchRecords)
                {
                    topic.GetPartition(partition).Append(builder);
                    written += builder.Count;
                    builder.Clear();
                }

                if (lineNumber % 100_000 == 0)
                {
                    Console.Error.WriteLine($"{lineNumber} lines read, {written} records written ({lineNumber / Math.Max(clock.Elapsed.TotalSeconds, 0.001):F0} lines/s)");
                }
            }

            written += FlushAll(builders);
            Console.Error.WriteLine($"Wrote {written} record(s) to '{topic.Name}' from {lineNumber} line(s){(skipped > 0 ? $"; skipped {skipped} malformed line(s)" : "")} in {clock.Elapsed.TotalSeconds:F2} s.");
            return skipped > 0 ? 3 : 0;
        }
        finally
        {
            foreach (RecordBatchBuilder b in builders)
            {
                b.Dispose();
            }
        }
    }

    private byte[]? ExtractKey(byte[] json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        if (keyField is null)
        {
            return null;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty(keyField, out JsonElement field))
        {
            return null;
        }

        return field.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(field.GetString()!) : Encoding.UTF8.GetBytes(field.GetRawText());
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
