namespace Sluice;

/// <summary>What a finished job reports.</summary>
/// <param name="JobName">The job's name.</param>
/// <param name="Duration">Wall time from start to the last task's end.</param>
/// <param name="SourceRecords">Records emitted by all sources.</param>
/// <param name="LateRecords">Records windows classified as late (sent to late side outputs or counted as dropped).</param>
/// <param name="MaxQueuedRecordsPerChannel">The most records ever queued in one exchange channel (bounded by ChannelCapacity × BatchSize).</param>
/// <param name="BackpressureWaits">How often a producer found its channel full and waited.</param>
/// <param name="CheckpointsCompleted">Checkpoints completed during the run (the final one included).</param>
/// <param name="Restarts">Times the job restarted after a failure.</param>
/// <param name="RestoredCheckpointId">The checkpoint the first attempt restored from, or 0 for a fresh start.</param>
public sealed record JobResult(string JobName, TimeSpan Duration, long SourceRecords, long LateRecords, int MaxQueuedRecordsPerChannel, long BackpressureWaits,
    int CheckpointsCompleted = 0, int Restarts = 0, long RestoredCheckpointId = 0);
