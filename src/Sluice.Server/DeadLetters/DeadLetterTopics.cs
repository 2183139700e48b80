using Sluice.Formats;

namespace Sluice.Server.DeadLetters;

/// <summary>
/// Where the server keeps dead letters and how one is laid out; the ingest endpoint writes them, the dashboard's
/// dead-letter browser reads and replays them. A topic <c>T</c>'s dead letters go to the embedded-log topic
/// <c>T.dlq</c> (<see cref="For"/>). Each record's value is the original payload, byte for byte; its key is the
/// original key (if any); its headers say why it was rejected:
/// <list type="bullet">
/// <item><see cref="ReasonHeader"/>: one sentence naming the line, field and problem (UTF-8);</item>
/// <item><see cref="OriginTopicHeader"/>: the topic the record was meant for (replay appends it there);</item>
/// <item><see cref="OriginHeader"/>: what produced it (<c>ingest</c>, or a job's name);</item>
/// <item><see cref="LocationHeader"/>: where in its input it was (<c>line 3</c>, <c>partition 0 offset 17</c>), if known.</item>
/// </list>
/// This is layout 1 of <see cref="DeadLetterEnvelope"/>, which defines the header names and reads it.
/// </summary>
internal static class DeadLetterTopics
{
    /// <summary>The suffix of a dead-letter topic's name.</summary>
    public const string Suffix = Sluice.DeadLetters.TopicSuffix;

    /// <summary>The envelope's layout version.</summary>
    public const int Version = 1;

    /// <summary>Header: the layout version, as decimal text.</summary>
    public const string VersionHeader = DeadLetterEnvelope.VersionHeader;

    /// <summary>Header: why the record was rejected.</summary>
    public const string ReasonHeader = DeadLetterEnvelope.ReasonHeader;

    /// <summary>Header: the topic the record was meant for.</summary>
    public const string OriginTopicHeader = DeadLetterEnvelope.OriginTopicHeader;

    /// <summary>Header: what rejected it (<c>ingest</c> or a job name).</summary>
    public const string OriginHeader = DeadLetterEnvelope.OriginHeader;

    /// <summary>Header: where in its input the record was.</summary>
    public const string LocationHeader = DeadLetterEnvelope.LocationHeader;

    /// <summary>The dead-letter topic of <paramref name="topic"/>.</summary>
    public static string For(string topic) => Sluice.DeadLetters.TopicFor(topic);

    /// <summary>Whether <paramref name="topic"/> is a dead-letter topic.</summary>
    public static bool IsDeadLetterTopic(string topic) => Sluice.DeadLetters.IsDeadLetterTopic(topic);
}
