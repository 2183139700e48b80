using System.Diagnostics;

namespace Sluice;

/// <summary>
/// The <see cref="System.Diagnostics.ActivitySource"/> of the job lifecycle and checkpoints (name <c>Sluice</c>).
/// Activities are created only while a listener (an <see cref="ActivityListener"/> or an OpenTelemetry tracer
/// provider with <c>AddSource("Sluice")</c>) samples them; otherwise tracing costs one check per event.
/// </summary>
/// <remarks>
/// The runtime reports: <see cref="JobActivity"/> from a job's start to its end (an event per status change, the final
/// status as the <c>job.status</c> tag, status Error when it failed); under it <see cref="AttemptActivity"/> per attempt
/// (<c>attempt</c> 0 is the first start, n the n-th restart); under that <see cref="CheckpointActivity"/> from a
/// checkpoint's trigger to its completion (<c>checkpoint.id</c>, <c>checkpoint.size</c> in bytes; status Error when it
/// failed or was abandoned). Every activity is tagged <c>job</c> and <c>job.id</c>.
/// </remarks>
public static class SluiceTracing
{
    /// <summary>The name of a job's activity.</summary>
    public const string JobActivity = "sluice.job";

    /// <summary>The name of an attempt's activity.</summary>
    public const string AttemptActivity = "sluice.job.attempt";

    /// <summary>The name of a checkpoint's activity.</summary>
    public const string CheckpointActivity = "sluice.checkpoint";

    /// <summary>The shared activity source.</summary>
    public static ActivitySource Source { get; } = new("Sluice", "1.0");
}
