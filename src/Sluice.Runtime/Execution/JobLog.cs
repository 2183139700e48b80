using Microsoft.Extensions.Logging;

namespace Sluice.Runtime.Execution;

/// <summary>
/// What a job logs about its life, category <see cref="Category"/>, event ids 1000–1099 (stable; listed in
/// docs/operations.md). Every message names the job by name and id. Named <c>JobLog</c> rather than <c>Log</c>: a
/// type named <c>Log</c> would shadow the <c>Sluice.Log</c> namespace.
/// </summary>
internal static partial class JobLog
{
    /// <summary>The logger category.</summary>
    public const string Category = "Sluice.Runtime.JobExecution";

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Job '{JobName}' ({JobId}) started: {Tasks} tasks, {Mode} mode.")]
    public static partial void Started(ILogger logger, string jobName, JobId jobId, int tasks, ExecutionMode mode);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Job '{JobName}' ({JobId}) restores checkpoint {CheckpointId} from {Location}.")]
    public static partial void Restoring(ILogger logger, string jobName, JobId jobId, long checkpointId, string location);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "Job '{JobName}' ({JobId}) failed; restart {Restart}/{MaxRestarts} in {DelayMs} ms from the last checkpoint. Cause: {Cause}")]
    public static partial void Restarting(ILogger logger, string jobName, JobId jobId, int restart, int maxRestarts, long delayMs, string cause, Exception exception);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information,
        Message = "Job '{JobName}' ({JobId}) finished in {DurationMs} ms: source records {SourceRecords}, checkpoints {Checkpoints}, restarts {Restarts}.")]
    public static partial void Finished(ILogger logger, string jobName, JobId jobId, long durationMs, long sourceRecords, int checkpoints, int restarts);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information,
        Message = "Job '{JobName}' ({JobId}) stopped and suspended at checkpoint {CheckpointId}: a run with RestoreOnStart resumes from it.")]
    public static partial void Suspended(ILogger logger, string jobName, JobId jobId, long checkpointId);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "Job '{JobName}' ({JobId}) failed (restarts: {Restarts}): {Cause}")]
    public static partial void Failed(ILogger logger, string jobName, JobId jobId, int restarts, string cause, Exception exception);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Job '{JobName}' ({JobId}) was cancelled.")]
    public static partial void Cancelled(ILogger logger, string jobName, JobId jobId);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Job '{JobName}' ({JobId}) is stopping (drain: {Drain}): its sources end now.")]
    public static partial void Stopping(ILogger logger, string jobName, JobId jobId, bool drain);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information, Message = "Job '{JobName}' ({JobId}) is being cancelled.")]
    public static partial void Cancelling(ILogger logger, string jobName, JobId jobId);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Debug, Message = "Job '{JobName}' ({JobId}) status {OldStatus} -> {NewStatus}.")]
    public static partial void StatusChanged(ILogger logger, string jobName, JobId jobId, JobStatus oldStatus, JobStatus newStatus);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Error, Message = "A StatusChanged handler of job '{JobName}' ({JobId}) threw on {OldStatus} -> {NewStatus}; the job is not affected.")]
    public static partial void StatusHandlerFailed(ILogger logger, string jobName, JobId jobId, JobStatus oldStatus, JobStatus newStatus, Exception exception);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Job '{JobName}' ({JobId}) took a savepoint of checkpoint {CheckpointId} into {Directory}.")]
    public static partial void SavepointTaken(ILogger logger, string jobName, JobId jobId, long checkpointId, string directory);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Job '{JobName}' ({JobId}) ended, but disposing its connector '{Connector}' failed; the job's result stands.")]
    public static partial void ConnectorDisposeFailed(ILogger logger, string jobName, JobId jobId, string connector, Exception error);
}
