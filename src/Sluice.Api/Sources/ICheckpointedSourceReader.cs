namespace Sluice.Sources;

/// <summary>
/// A source reader whose position can be checkpointed and restored: what makes a source <em>replayable</em> and the
/// job exactly-once. The runtime snapshots every split's position at a checkpoint barrier (between two polls) and, on
/// restore, hands all snapshotted splits to every new reader through <see cref="SourceReaderContext.RestoredSplits"/>;
/// each reader resumes the splits it owns (parallelism may differ from the checkpointed run).
/// </summary>
public interface ICheckpointedSourceReader
{
    /// <summary>A stable id of split <paramref name="split"/> (e.g. <c>topic/3</c>), the same in every run.</summary>
    string SplitId(int split);

    /// <summary>The position to resume <paramref name="split"/> from: what the next poll would read. The bytes are the reader's own (versioned) format.</summary>
    byte[] SnapshotSplit(int split);

    /// <summary>Called when a checkpoint containing this reader's positions is complete (e.g. to commit offsets to a consumer group).</summary>
    void NotifyCheckpointComplete(long checkpointId) { }
}
