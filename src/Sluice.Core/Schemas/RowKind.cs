namespace Sluice.Schemas;

/// <summary>
/// What a row means in a changelog, as in Flink: an insertion, the old or new image of an update, or a deletion.
/// An append-only stream carries only <see cref="Insert"/>. The byte values are part of the row state format.
/// </summary>
public enum RowKind : byte
{
    /// <summary><c>+I</c>: a new row.</summary>
    Insert = 0,

    /// <summary><c>-U</c>: the previous content of an updated row, retracted.</summary>
    UpdateBefore = 1,

    /// <summary><c>+U</c>: the new content of an updated row.</summary>
    UpdateAfter = 2,

    /// <summary><c>-D</c>: a deleted row.</summary>
    Delete = 3,
}
