namespace Sluice.Server.Dashboard;

/// <summary>The answer of <c>GET /api/dlq</c>: every dead-letter topic of the embedded log.</summary>
/// <param name="Topics">The dead-letter topics, sorted by name.</param>
internal sealed record DeadLetterTopicList(IReadOnlyList<DeadLetterTopicSummary> Topics);

/// <summary>One dead-letter topic: how many records it holds and why they were rejected.</summary>
/// <param name="Topic">The dead-letter topic's name (<c>orders.dlq</c>).</param>
/// <param name="OriginTopic">The topic its records were meant for (the name without <c>.dlq</c>).</param>
/// <param name="Records">Records retained (sum over partitions of end offset − log start offset).</param>
/// <param name="Reasons">Record counts by reason pattern (the reason with every number written <c>#</c>), most frequent first.</param>
/// <param name="ReasonsComplete">False when the topic held more records than a summary scans (<see cref="DeadLetterBrowser.MaxScannedRecords"/>): the counts then cover the oldest ones only.</param>
internal sealed record DeadLetterTopicSummary(string Topic, string OriginTopic, long Records, IReadOnlyList<DeadLetterReasonCount> Reasons, bool ReasonsComplete);

/// <summary>How many dead letters share one reason pattern.</summary>
/// <param name="Reason">The reason with every run of digits written <c>#</c> (<c>line #: field 'id' is missing.</c>); empty when a record has none. Give it as <c>reason=</c> to list those records.</param>
/// <param name="Count">Records with that reason.</param>
internal sealed record DeadLetterReasonCount(string Reason, long Count);

/// <summary>The answer of <c>GET /api/dlq/{topic}</c>: a page of dead letters.</summary>
/// <param name="Topic">The dead-letter topic.</param>
/// <param name="OriginTopic">The topic its records were meant for.</param>
/// <param name="Records">The matching records, by partition then offset.</param>
/// <param name="More">True when more matching records follow the last one returned (ask again with a larger <c>from</c>).</param>
internal sealed record DeadLetterPage(string Topic, string OriginTopic, IReadOnlyList<DeadLetterRecord> Records, bool More);

/// <summary>One dead letter, decoded from its envelope (see <see cref="Sluice.Server.DeadLetters.DeadLetterTopics"/>).</summary>
/// <param name="Partition">Its partition in the dead-letter topic.</param>
/// <param name="Offset">Its offset in that partition.</param>
/// <param name="Time">When it was dead-lettered, Unix milliseconds.</param>
/// <param name="Reason">Why it was rejected (empty when the header is missing).</param>
/// <param name="OriginTopic">The topic it was meant for (replay appends it there).</param>
/// <param name="Origin">What rejected it (<c>ingest</c> or a job name), or null.</param>
/// <param name="Location">Where in its input it was (<c>line 3</c>), or null.</param>
/// <param name="Key">The original key (text or base64, see <paramref name="KeyEncoding"/>), or null when it had none.</param>
/// <param name="KeyEncoding"><c>utf8</c> or <c>base64</c>; null without key.</param>
/// <param name="Payload">The original payload: the text when it is valid UTF-8, else base64; null for a record without value.</param>
/// <param name="PayloadEncoding"><c>utf8</c> or <c>base64</c>; null without value.</param>
internal sealed record DeadLetterRecord(
    int Partition,
    long Offset,
    long Time,
    string Reason,
    string OriginTopic,
    string? Origin,
    string? Location,
    string? Key,
    string? KeyEncoding,
    string? Payload,
    string? PayloadEncoding);

/// <summary>The body of <c>POST /api/dlq/{topic}/replay</c>.</summary>
/// <param name="Records">The dead letters to replay, by position in the dead-letter topic.</param>
internal sealed record ReplayRequest(IReadOnlyList<DeadLetterPosition>? Records);

/// <summary>Where a dead letter is.</summary>
/// <param name="Partition">Partition of the dead-letter topic.</param>
/// <param name="Offset">Offset in that partition.</param>
internal sealed record DeadLetterPosition(int Partition, long Offset);

/// <summary>The answer of a replay: where each dead letter went, in the order asked.</summary>
/// <param name="Topic">The dead-letter topic.</param>
/// <param name="Replayed">One entry per replayed record.</param>
internal sealed record ReplayResult(string Topic, IReadOnlyList<ReplayedRecord> Replayed);

/// <summary>One replayed dead letter and the position of its new copy.</summary>
/// <param name="Partition">Its partition in the dead-letter topic.</param>
/// <param name="Offset">Its offset there.</param>
/// <param name="OriginTopic">The topic it was appended to.</param>
/// <param name="OriginPartition">The partition it was appended to.</param>
/// <param name="OriginOffset">The offset it got there.</param>
internal sealed record ReplayedRecord(int Partition, long Offset, string OriginTopic, int OriginPartition, long OriginOffset);
