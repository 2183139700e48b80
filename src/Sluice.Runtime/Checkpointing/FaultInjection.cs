using System.Diagnostics;
using System.Globalization;

namespace Sluice.Runtime.Checkpointing;

/// <summary>
/// Crash points for the kill harness (<c>sluice chaos --fault</c>, docs/operations.md): when the environment variable
/// <c>SLUICE_FAULT=&lt;phase&gt;:&lt;checkpointId|*&gt;</c> names a phase and checkpoint, <see cref="Hit"/> kills the
/// process on the spot (SIGKILL to itself — no finally blocks, no flushing: a real crash). Phases:
/// <c>snapshot</c> (a task snapshotted, before forwarding the barrier), <c>before-manifest</c> (all acknowledged,
/// before the manifest write), <c>before-commit</c> (manifest durable — sinks pre-committed — before the sink commit),
/// <c>restore</c> (checkpoint loaded, before anything restarts). Unset (the normal case): one static read, no-op.
/// </summary>
internal static class FaultInjection
{
    public const string Variable = "SLUICE_FAULT";
    private static readonly (string Phase, long CheckpointId)? s_fault = Parse(Environment.GetEnvironmentVariable(Variable));

    /// <summary>Kills the process when the configured fault is <paramref name="phase"/> at <paramref name="checkpointId"/>.</summary>
    public static void Hit(string phase, long checkpointId)
    {
        if (s_fault is not { } fault || fault.Phase != phase || (fault.CheckpointId >= 0 && fault.CheckpointId != checkpointId))
        {
            return;
        }
        Console.Error.WriteLine($"fault injected: {phase} at checkpoint {checkpointId}");
        Console.Error.Flush();
        Process.GetCurrentProcess().Kill();
    }

    private static (string, long)? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Split(':') is not [var phase, var id])
        {
            return null;
        }
        return (phase, id == "*" ? -1 : long.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture));
    }
}
