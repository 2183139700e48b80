using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Sluice.Examples.Clickstream.Demo;

/// <summary>
/// One raw input line of the demo with where it came from — the embedded-log topic or the Kafka topic; the pipeline
/// after the source is the same for both.
/// </summary>
/// <param name="Source">The input system and topic, e.g. <c>log:clicks</c> or <c>kafka:clicks</c> (the DLQ's source field).</param>
/// <param name="Topic">Topic name.</param>
/// <param name="Partition">Partition number.</param>
/// <param name="Offset">Offset in the partition.</param>
/// <param name="TimestampMs">The record's timestamp (the event time its producer set), Unix ms.</param>
/// <param name="Value">The line as UTF-8 text; empty for a record without value.</param>
public sealed record DemoLine(string Source, string Topic, int Partition, long Offset, long TimestampMs, string Value)
{
    private static readonly UTF8Encoding s_strict = new(false, true);

    /// <summary>Decodes a record's value (strict UTF-8) into a line; invalid UTF-8 is an error (the source dead-letters it).</summary>
    internal static bool TryDecode(string system, string topic, int partition, long offset, long timestampMs, ReadOnlySpan<byte> value,
        [NotNullWhen(true)] out DemoLine? line, [NotNullWhen(false)] out string? error)
    {
        try
        {
            line = new DemoLine(system + ":" + topic, topic, partition, offset, timestampMs, s_strict.GetString(value));
            error = null;
            return true;
        }
        catch (DecoderFallbackException e)
        {
            line = null;
            error = $"The value is not valid UTF-8: {e.Message}";
            return false;
        }
    }
}
