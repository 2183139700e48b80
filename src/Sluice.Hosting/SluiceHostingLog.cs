using Microsoft.Extensions.Logging;

namespace Sluice.Hosting;

/// <summary>
/// What the hosted service logs, category <see cref="Category"/>, event ids 3000–3099 (stable; listed in
/// docs/hosting.md). The jobs themselves log through the host's factory too (docs/operations.md).
/// </summary>
internal static partial class SluiceHostingLog
{
    /// <summary>The logger category.</summary>
    public const string Category = "Sluice.Hosting";

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Hosted job '{JobName}' ({JobId}) submitted.")]
    public static partial void Submitted(ILogger logger, string jobName, JobId jobId);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
        Message = "Hosted job '{JobName}' ({JobId}) failed; the host keeps running (SluiceHostingOptions.StopApplicationOnJobFailure is off). Cause: {Cause}")]
    public static partial void FailedHostContinues(ILogger logger, string jobName, JobId jobId, string cause);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Critical,
        Message = "Hosted job '{JobName}' ({JobId}) failed; stopping the application (SluiceHostingOptions.StopApplicationOnJobFailure). Cause: {Cause}")]
    public static partial void FailedStoppingApplication(ILogger logger, string jobName, JobId jobId, string cause);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Stopping {Count} hosted jobs ({Mode}).")]
    public static partial void Stopping(ILogger logger, int count, JobShutdownMode mode);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning,
        Message = "Hosted job '{JobName}' ({JobId}) did not stop within the host's shutdown timeout and is cancelled; output staged since its last completed checkpoint is not committed.")]
    public static partial void StopTimedOut(ILogger logger, string jobName, JobId jobId);
}
