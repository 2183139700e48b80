namespace Sluice;

/// <summary>What a finished job reports.</summary>
/// <param name="JobName">The job's name.</param>
/// <param name="Duration">Wall time from start to the last task's end.</param>
/// <param name="SourceRecords">Records emitted by all sources.</param>
/// <param name="LateRecords">Records windows classified as late (sent to late side outputs or counted as dropped).</param>
/// <param name="MaxQueuedRecordsPerChannel">The most records ever queued in one exchange channel (bounded by ChannelCapacity × BatchSize).</param>
/// <param name="BackpressureWaits">How often a producer found its channel full and waited.</param>
public sealed record JobResult(string JobName, TimeSpan Duration, long SourceRecords, long LateRecords, int MaxQueuedRecordsPerChannel, long BackpressureWaits);
