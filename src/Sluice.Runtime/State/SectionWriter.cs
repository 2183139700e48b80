using Sluice.Runtime.Checkpointing;
using Sluice.State.Serialization;

namespace Sluice.Runtime.State;

/// <summary>Writes state-entry records into key-group sections, remembering the last section (entries come grouped by key group).</summary>
internal sealed class SectionWriter(SnapshotContext target)
{
    private int _group = -1;
    private StateWriter? _section;

    /// <summary>A scratch buffer for payloads.</summary>
    public StateWriter Scratch { get; } = new(256);

    /// <summary>Writes one state entry record of state <paramref name="index"/> into key group <paramref name="group"/>.</summary>
    public void WriteEntry(int group, int index, ReadOnlySpan<byte> payload)
    {
        if (group != _group)
        {
            _section = target.KeyGroup(group);
            _group = group;
        }
        KeyedStateSnapshot.WriteRecord(_section!, KeyedStateSnapshot.StateEntryTag, index, payload);
    }
}
