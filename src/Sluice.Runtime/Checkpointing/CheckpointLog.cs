using Microsoft.Extensions.Logging;

namespace Sluice.Runtime.Checkpointing;

/// <summary>
/// What checkpointing logs, category <see cref="Category"/>, event ids 1100–1199 (stable; listed in
/// docs/operations.md). Every message names the job by name and id, and the checkpoint.
/// </summary>
internal static partial class CheckpointLog
{
    /// <summary>The logger category.</summary>
    public const string Category = "Sluice.Checkpointing";

    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug,
        Message = "Checkpoint {CheckpointId} of job '{JobName}' ({JobId}) completed in {DurationMs} ms: {Bytes} bytes.")]
    public static partial void Completed(ILogger logger, long checkpointId, string jobName, JobId jobId, long durationMs, long bytes);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning,
        Message = "Checkpoint {CheckpointId} of job '{JobName}' ({JobId}) did not complete within {Timeout} and is abandoned; the attempt fails.")]
    public static partial void TimedOut(ILogger logger, long checkpointId, string jobName, JobId jobId, TimeSpan timeout);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning,
        Message = "Checkpoint {CheckpointId} of job '{JobName}' ({JobId}) was declined by task {Task}: {Cause}")]
    public static partial void Declined(ILogger logger, long checkpointId, string jobName, JobId jobId, string task, string cause, Exception exception);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning,
        Message = "Checkpoint {CheckpointId} of job '{JobName}' ({JobId}) could not be completed in {Location}: {Cause}")]
    public static partial void Failed(ILogger logger, long checkpointId, string jobName, JobId jobId, string location, string cause, Exception exception);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information,
        Message = "Checkpoint {CheckpointId} of job '{JobName}' ({JobId}) is abandoned: the attempt ended before every task acknowledged it.")]
    public static partial void Abandoned(ILogger logger, long checkpointId, string jobName, JobId jobId);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information,
        Message = "Job '{JobName}' ({JobId}) deleted {Count} orphaned shared files from {Location}.")]
    public static partial void OrphansDeleted(ILogger logger, string jobName, JobId jobId, int count, string location);
}
