using System.Globalization;

namespace Sluice.Log;

/// <summary>
/// A damaged byte range of one segment file — torn, flipped, zeroed or foreign bytes that hold no valid record batch —
/// and the partition offsets it may have held. Records outside the range are intact and readable.
/// </summary>
/// <param name="Topic">Topic name.</param>
/// <param name="Partition">Partition number.</param>
/// <param name="SegmentFile">Full path of the segment file.</param>
/// <param name="Position">First damaged byte in the file.</param>
/// <param name="Length">Damaged bytes.</param>
/// <param name="FirstOffset">First offset the range may hold.</param>
/// <param name="LastOffset">Last offset the range may hold (inclusive); below <paramref name="FirstOffset"/> when the
/// bytes held no offset (for example junk appended after the last batch of a closed segment).</param>
/// <param name="RecordCount">Records the damaged batch said it held, when its header survived; null otherwise.</param>
/// <param name="Reason">What is wrong, as a phrase ("the batch fails its checksum").</param>
public sealed record LogDamage(
    string Topic, int Partition, string SegmentFile, long Position, long Length, long FirstOffset, long LastOffset, int? RecordCount, string Reason)
{
    /// <summary>True when the range may have held records (offsets <see cref="FirstOffset"/>..<see cref="LastOffset"/>).</summary>
    public bool HoldsOffsets => LastOffset >= FirstOffset;

    /// <summary>"offsets 5600..5699" or "no offsets".</summary>
    public string OffsetRange => HoldsOffsets
        ? string.Create(CultureInfo.InvariantCulture, $"offsets {FirstOffset}..{LastOffset}")
        : "no offsets";

    /// <summary>One line naming file, bytes, offsets and the reason.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"'{SegmentFile}' bytes {Position}..{Position + Length - 1} ({Length} bytes, {OffsetRange}{(RecordCount is { } n ? $", {n} record(s)" : "")}): {Reason}");
}

/// <summary>A byte range the log moved out of a segment into its quarantine file, by recovery or by repair.</summary>
/// <param name="Damage">Where the bytes were and what they may have held.</param>
/// <param name="QuarantineFile">Full path of the quarantine file holding the exact bytes.</param>
/// <param name="MovedAt">When they were moved.</param>
/// <param name="ByRepair">True when <see cref="PartitionLog.Repair"/> moved them; false when recovery cut a torn tail
/// of the active segment after an unclean shutdown.</param>
public sealed record QuarantinedRange(LogDamage Damage, string QuarantineFile, DateTimeOffset MovedAt, bool ByRepair);
