namespace Sluice.Connectors.Log;

/// <summary>Every dead-letter topic of a log (<see cref="DeadLetterQueue.ListTopics"/>; <c>GET /api/dlq</c>).</summary>
/// <param name="Topics">The dead-letter topics, sorted by name.</param>
public sealed record DeadLetterTopicList(IReadOnlyList<DeadLetterTopicSummary> Topics);

/// <summary>One dead-letter topic: how many records it holds and why they were refused.</summary>
/// <param name="Topic">The dead-letter topic's name (<c>orders.dlq</c>).</param>
/// <param name="OriginTopic">The topic its records were meant for (the name without <c>.dlq</c>).</param>
/// <param name="Records">Dead letters held (committed ones; when the topic is larger than a summary scans, the offsets retained, transaction markers included).</param>
/// <param name="Reasons">Record counts by reason pattern (the reason with every number written <c>#</c>), most frequent first.</param>
/// <param name="ReasonsComplete">False when the topic held more records than a summary scans (<see cref="DeadLetterQueue.MaxScannedRecords"/>): the counts then cover the oldest ones only.</param>
/// <param name="Kinds">Record counts by kind (<c>parse</c>, <c>schema</c>, <c>rule</c>, …), most frequent first.</param>
/// <param name="Rules">Record counts by rule name, most frequent first; records without a rule are not counted.</param>
public sealed record DeadLetterTopicSummary(
    string Topic,
    string OriginTopic,
    long Records,
    IReadOnlyList<DeadLetterReasonCount> Reasons,
    bool ReasonsComplete,
    IReadOnlyList<DeadLetterCount> Kinds,
    IReadOnlyList<DeadLetterCount> Rules);

/// <summary>How many dead letters share one reason pattern.</summary>
/// <param name="Reason">The reason with every run of digits written <c>#</c> (<c>line #: field 'id' is missing.</c>); empty when a record has none. Give it as the reason filter to select those records.</param>
/// <param name="Count">Records with that reason.</param>
public sealed record DeadLetterReasonCount(string Reason, long Count);

/// <summary>How many dead letters share one value of a dimension (a kind, a rule, an hour).</summary>
/// <param name="Name">The value (<c>parse</c>; a rule name; <c>2026-12-06T07:00Z</c>).</param>
/// <param name="Count">Records with that value.</param>
public sealed record DeadLetterCount(string Name, long Count);

/// <summary>Counts of the dead letters a filter selects (<see cref="DeadLetterQueue.Stats"/>; <c>GET /api/dlq/{topic}/stats</c>).</summary>
/// <param name="Topic">The dead-letter topic.</param>
/// <param name="Records">Records selected.</param>
/// <param name="Reasons">By reason pattern, most frequent first.</param>
/// <param name="Kinds">By kind, most frequent first.</param>
/// <param name="Rules">By rule (records with a rule only), most frequent first.</param>
/// <param name="Hours">By the UTC hour they were dead-lettered (<c>yyyy-MM-ddTHH:00Z</c>), in time order.</param>
/// <param name="Complete">False when the topic held more records than one scan reads (<see cref="DeadLetterQueue.MaxScannedRecords"/>).</param>
public sealed record DeadLetterStats(
    string Topic,
    long Records,
    IReadOnlyList<DeadLetterReasonCount> Reasons,
    IReadOnlyList<DeadLetterCount> Kinds,
    IReadOnlyList<DeadLetterCount> Rules,
    IReadOnlyList<DeadLetterCount> Hours,
    bool Complete);

/// <summary>A page of dead letters (<see cref="DeadLetterQueue.ReadPage"/>; <c>GET /api/dlq/{topic}</c>).</summary>
/// <param name="Topic">The dead-letter topic.</param>
/// <param name="OriginTopic">The topic its records were meant for.</param>
/// <param name="Records">The matching records, by partition then offset.</param>
/// <param name="More">True when more matching records follow the last one returned (ask again with a larger <c>from</c>).</param>
public sealed record DeadLetterPage(string Topic, string OriginTopic, IReadOnlyList<DeadLetterRecord> Records, bool More);

/// <summary>One dead letter, decoded from its envelope (<see cref="Sluice.Formats.DeadLetterEnvelope"/>, layout 1 or 2).</summary>
/// <param name="Partition">Its partition in the dead-letter topic.</param>
/// <param name="Offset">Its offset in that partition.</param>
/// <param name="Time">When it was dead-lettered (the dead-letter record's timestamp), Unix milliseconds.</param>
/// <param name="Reason">Why it was refused (empty when the header is missing).</param>
/// <param name="OriginTopic">The topic it came from or was meant for (replay appends it there).</param>
/// <param name="Origin">The job that refused it (<c>ingest</c> for HTTP ingest), or null.</param>
/// <param name="Location">Where in its input it was (<c>line 3</c>, <c>orders/0/17</c>), or null.</param>
/// <param name="Key">The original key (text or base64, see <paramref name="KeyEncoding"/>), or null when it had none.</param>
/// <param name="KeyEncoding"><c>utf8</c> or <c>base64</c>; null without key.</param>
/// <param name="Payload">The original payload: the text when it is valid UTF-8, else base64; null for a record without value.</param>
/// <param name="PayloadEncoding"><c>utf8</c> or <c>base64</c>; null without value.</param>
/// <param name="Kind">At which stage it failed: <c>parse</c>, <c>schema</c>, <c>rule</c>, <c>sink</c>, <c>late</c>, <c>processing</c>; <c>unreadable</c> when the record is no dead letter of a known layout (its reason says why).</param>
/// <param name="Rule">The rule that refused it, or null.</param>
/// <param name="Operator">The operator that refused it, or null.</param>
/// <param name="Source">The connector and input it was read from (<c>log:orders</c>, a file path), or null.</param>
/// <param name="Field">The field at fault, or null.</param>
/// <param name="OriginPartition">Its partition in the origin topic, when known.</param>
/// <param name="OriginOffset">Its offset there, when known.</param>
/// <param name="EventTime">Its event time, Unix milliseconds, when known.</param>
/// <param name="IngestTime">When it entered the platform, Unix milliseconds, when known.</param>
/// <param name="Attempt">1, plus one per replay.</param>
public sealed record DeadLetterRecord(
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
    string? PayloadEncoding,
    string Kind,
    string? Rule,
    string? Operator,
    string? Source,
    string? Field,
    int? OriginPartition,
    long? OriginOffset,
    long? EventTime,
    long? IngestTime,
    int Attempt);

/// <summary>The body of <c>POST /api/dlq/{topic}/replay</c>.</summary>
/// <param name="Records">The dead letters to replay, by position in the dead-letter topic.</param>
/// <param name="To">The topic to append them to instead of each one's origin topic, or null.</param>
/// <param name="DryRun">True: answer what would be appended, append nothing.</param>
public sealed record ReplayRequest(IReadOnlyList<DeadLetterPosition>? Records, string? To = null, bool DryRun = false);

/// <summary>Where a dead letter is.</summary>
/// <param name="Partition">Partition of the dead-letter topic.</param>
/// <param name="Offset">Offset in that partition.</param>
public sealed record DeadLetterPosition(int Partition, long Offset);

/// <summary>The answer of a replay: where each dead letter went, in the order asked (a position asked twice answers once).</summary>
/// <param name="Topic">The dead-letter topic.</param>
/// <param name="Replayed">One entry per distinct position asked.</param>
/// <param name="DryRun">True when nothing was appended (the entries say what would have been).</param>
/// <param name="Appended">How many records were appended (would have been, on a dry run).</param>
/// <param name="AlreadyReplayed">How many were skipped because an earlier replay already appended them to the target.</param>
public sealed record ReplayResult(string Topic, IReadOnlyList<ReplayedRecord> Replayed, bool DryRun, int Appended, int AlreadyReplayed);

/// <summary>One replayed dead letter and the position of its copy in the target topic.</summary>
/// <param name="Partition">Its partition in the dead-letter topic.</param>
/// <param name="Offset">Its offset there.</param>
/// <param name="OriginTopic">The topic it was (or would be) appended to.</param>
/// <param name="OriginPartition">The partition it was appended to (the partition its key hashes to; -1 on a dry run of a record without key).</param>
/// <param name="OriginOffset">The offset of its copy: appended now, or by the earlier replay when <paramref name="AlreadyReplayed"/>; -1 on a dry run of a record not yet replayed.</param>
/// <param name="AlreadyReplayed">True when an earlier replay appended it already, so nothing was appended now.</param>
/// <param name="Attempt">The attempt its copy carries (the dead letter's attempt + 1).</param>
public sealed record ReplayedRecord(int Partition, long Offset, string OriginTopic, int OriginPartition, long OriginOffset, bool AlreadyReplayed, int Attempt);
