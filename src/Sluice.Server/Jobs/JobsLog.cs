using Microsoft.Extensions.Logging;

namespace Sluice.Server.Jobs;

/// <summary>What the server's job service logs, category <c>Sluice.Server.Jobs</c>, event ids 4100–4199.</summary>
internal static partial class JobsLog
{
    /// <summary>The logger category.</summary>
    public const string Category = "Sluice.Server.Jobs";

    [LoggerMessage(4100, LogLevel.Information, "Job '{JobName}' ({Id}) submitted.")]
    public static partial void Submitted(ILogger logger, string jobName, string id);

    [LoggerMessage(4101, LogLevel.Information, "Job '{JobName}' ({Id}) resumed from {Source}.")]
    public static partial void Resumed(ILogger logger, string jobName, string id, string source);

    [LoggerMessage(4102, LogLevel.Error, "Job '{JobName}' ({Id}) could not be resumed; its definition stays in the jobs directory for the next start. Cause: {Cause}")]
    public static partial void ResumeFailed(ILogger logger, string jobName, string id, string cause);

    [LoggerMessage(4103, LogLevel.Information, "Suspending {Count} running jobs with a savepoint each before the server stops.")]
    public static partial void Suspending(ILogger logger, int count);

    [LoggerMessage(4104, LogLevel.Information, "Job '{JobName}' ({Id}) suspended; savepoint {Savepoint}.")]
    public static partial void Suspended(ILogger logger, string jobName, string id, string savepoint);

    [LoggerMessage(4105, LogLevel.Warning, "Job '{JobName}' ({Id}) did not suspend cleanly (status {Status}); it resumes from its latest checkpoint at the next start.")]
    public static partial void SuspendFailed(ILogger logger, string jobName, string id, JobStatus status);

    [LoggerMessage(4106, LogLevel.Error, "The job definition {Path} cannot be read and is set aside as *.damaged: {Cause}")]
    public static partial void DefinitionUnreadable(ILogger logger, string path, string cause);
}
