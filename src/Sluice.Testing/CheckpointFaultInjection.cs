using System.Diagnostics;
using System.Globalization;
using Sluice.Runtime.Checkpointing;

namespace Sluice.Testing;

/// <summary>
/// Crash points for kill tests of exactly-once pipelines: makes the process kill itself (SIGKILL on Linux — no
/// <c>finally</c> blocks, no flushing: a real crash) when a checkpoint reaches a phase of the protocol. A fault is
/// written <c>&lt;phase&gt;:&lt;checkpoint id|*&gt;</c>, with phase <c>snapshot</c> (a task snapshotted its operators,
/// before forwarding the barrier), <c>before-manifest</c> (every task acknowledged, before the manifest is written),
/// <c>before-commit</c> (manifest durable, sinks pre-committed, before the sinks commit) or <c>restore</c> (a
/// checkpoint was loaded, before anything restarts from it); <c>*</c> matches any checkpoint. The kill harness
/// (<c>sluice chaos --fault</c>, docs/operations.md) installs the fault named by <see cref="EnvironmentVariable"/>
/// in the child it kills.
/// </summary>
/// <remarks>
/// One fault per process. Before it dies, the process writes <c>fault injected: &lt;phase&gt; at checkpoint &lt;id&gt;</c>
/// on stderr. Without an installed fault the runtime's hook costs one read per checkpoint and task. Thread-safe.
/// </remarks>
public static class CheckpointFaultInjection
{
    /// <summary>The environment variable <see cref="InstallFromEnvironment"/> reads: <c>SLUICE_FAULT=&lt;phase&gt;:&lt;checkpoint id|*&gt;</c>.</summary>
    public const string EnvironmentVariable = "SLUICE_FAULT";

    private static readonly (string Name, CheckpointPhase Phase)[] s_phases =
    [
        ("snapshot", CheckpointPhase.Snapshot),
        ("before-manifest", CheckpointPhase.BeforeManifest),
        ("before-commit", CheckpointPhase.BeforeCommit),
        ("restore", CheckpointPhase.Restore),
    ];

    /// <summary>True when <paramref name="fault"/> is a valid <c>&lt;phase&gt;:&lt;checkpoint id|*&gt;</c>.</summary>
    public static bool IsValid(string? fault) => TryParse(fault, out _, out _);

    /// <summary>Kills this process when a checkpoint reaches the phase <paramref name="fault"/> names (see the type's remarks).</summary>
    /// <exception cref="FormatException"><paramref name="fault"/> is not <c>&lt;phase&gt;:&lt;checkpoint id|*&gt;</c> with a known phase.</exception>
    public static void Install(string fault)
    {
        if (!TryParse(fault, out var phase, out var checkpointId))
        {
            throw new FormatException($"'{fault}' is not a checkpoint fault: write <phase>:<checkpoint id|*> with phase snapshot, before-manifest, before-commit or restore.");
        }
        CheckpointFaultPoints.Handler = (reached, id) =>
        {
            if (reached == phase && (checkpointId < 0 || checkpointId == id))
            {
                Kill(fault, id);
            }
        };
    }

    /// <summary>
    /// Installs the fault <see cref="EnvironmentVariable"/> names; returns false (installing nothing) when it is unset or empty.
    /// </summary>
    /// <exception cref="FormatException">The variable is set to something that is not a fault.</exception>
    public static bool InstallFromEnvironment()
    {
        var fault = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(fault))
        {
            return false;
        }
        Install(fault);
        return true;
    }

    /// <summary>Removes the installed fault, if any.</summary>
    public static void Uninstall() => CheckpointFaultPoints.Handler = null;

    private static bool TryParse(string? fault, out CheckpointPhase phase, out long checkpointId)
    {
        phase = default;
        checkpointId = -1;
        if (fault?.Split(':') is not [var name, var id])
        {
            return false;
        }
        foreach (var (known, value) in s_phases)
        {
            if (known == name)
            {
                phase = value;
                return id == "*" || long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out checkpointId);
            }
        }
        return false;
    }

    private static void Kill(string fault, long checkpointId)
    {
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fault injected: {fault.Split(':')[0]} at checkpoint {checkpointId}"));
        Console.Error.Flush();
        Process.GetCurrentProcess().Kill();
    }
}
