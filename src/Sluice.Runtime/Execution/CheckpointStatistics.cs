namespace Sluice;

/// <summary>
/// A completed checkpoint, as <see cref="JobClient.CheckpointStatisticsCompleted"/> reports it: when it was triggered,
/// how long it took until its manifest was durable and its sinks committed, and how many bytes of state it wrote.
/// Immutable.
/// </summary>
/// <param name="Id">The checkpoint id (ascending within a job's checkpoint store).</param>
/// <param name="Triggered">When the coordinator triggered it (the job's <see cref="JobOptions.TimeProvider"/>).</param>
/// <param name="Duration">From the trigger to the manifest being durable and the sinks committed.</param>
/// <param name="Bytes">Bytes of state blobs it wrote (shared files of incremental RocksDB checkpoints not counted).</param>
/// <param name="Final">True for the checkpoint taken when the job's sources ended (end of input or a stop).</param>
public sealed record CheckpointStatistics(long Id, DateTimeOffset Triggered, TimeSpan Duration, long Bytes, bool Final);
