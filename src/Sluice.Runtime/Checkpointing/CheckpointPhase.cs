namespace Sluice.Runtime.Checkpointing;

/// <summary>The points of the checkpoint protocol where a crash test may stop the process (<see cref="CheckpointFaultPoints"/>).</summary>
internal enum CheckpointPhase
{
    /// <summary>A task snapshotted its operators for the checkpoint (sinks pre-committed), before forwarding the barrier.</summary>
    Snapshot,

    /// <summary>Every task acknowledged the checkpoint, before its manifest is written.</summary>
    BeforeManifest,

    /// <summary>The manifest is durable (sinks pre-committed), before the sinks commit.</summary>
    BeforeCommit,

    /// <summary>A restarted job loaded the checkpoint, before any task restarts from it.</summary>
    Restore,
}
