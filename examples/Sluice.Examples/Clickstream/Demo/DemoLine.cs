using System.Diagnostics.CodeAnalysis;
using System.Text;
using Sluice.Formats;

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

    /// <summary>
    /// Reads messages as lines, for the embedded log and Kafka alike (one message deserializer for both): invalid UTF-8
    /// is an error (the source dead-letters it); a message without value becomes an empty line.
    /// </summary>
    /// <param name="system">The input system, <c>log</c> or <c>kafka</c>, prefixed to the topic in <see cref="Source"/>.</param>
    internal sealed class Deserializer(string system) : IMessageDeserializer<DemoLine>
    {
        public bool TryDeserialize(in MessageView message, [MaybeNullWhen(false)] out DemoLine value, [NotNullWhen(false)] out FormatError? error)
        {
            try
            {
                value = new DemoLine(system + ":" + message.Topic, message.Topic, message.Partition, message.Offset, message.TimestampMs, s_strict.GetString(message.Value));
                error = null;
                return true;
            }
            catch (DecoderFallbackException e)
            {
                value = null;
                error = new FormatError($"The value is not valid UTF-8: {e.Message}");
                return false;
            }
        }
    }
}
