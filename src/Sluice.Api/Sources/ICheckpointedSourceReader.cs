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

    /// <summary>
    /// <see cref="SnapshotSplit(int)"/> for checkpoint <paramref name="checkpointId"/>: what the runtime calls, so that a
    /// reader acting on <see cref="NotifyCheckpointComplete"/> (confirming a replication slot, say) can act on the
    /// positions of exactly the checkpoint that completed, not on a later one already snapshotted.
    /// </summary>
    byte[] SnapshotSplit(int split, long checkpointId) => SnapshotSplit(split);

    /// <summary>Called when a checkpoint containing this reader's positions is complete (e.g. to commit offsets to a consumer group).</summary>
    void NotifyCheckpointComplete(long checkpointId) { }
}

/// <summary>
/// The common encoding of a split position that is a single number (an offset, a line or record count): 8 bytes,
/// little-endian (format version 1). Readers whose position is a number use these so the format lives in one place.
/// </summary>
public static class SplitPositions
{
    /// <summary>Encodes <paramref name="position"/>.</summary>
    public static byte[] FromInt64(long position)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes, position);
        return bytes;
    }

    /// <summary>Reads the restored numeric position of <paramref name="splitId"/>; false when the split was not checkpointed.</summary>
    /// <exception cref="State.Serialization.StateFormatException">The stored position is not 8 bytes.</exception>
    public static bool TryGetInt64(IReadOnlyDictionary<string, byte[]> restored, string splitId, out long position)
    {
        ArgumentNullException.ThrowIfNull(restored);
        if (!restored.TryGetValue(splitId, out var bytes))
        {
            position = 0;
            return false;
        }
        if (bytes.Length != 8)
        {
            throw new State.Serialization.StateFormatException($"The checkpointed position of split '{splitId}' has {bytes.Length} bytes; a numeric position has 8.");
        }
        position = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(bytes);
        return true;
    }
}
