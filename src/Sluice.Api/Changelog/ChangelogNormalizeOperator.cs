using Sluice.Operators;
using Sluice.Schemas;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Changelog;

/// <summary>
/// Flink's <c>ChangelogNormalize</c>: turns an upsert changelog (<c>+I</c>/<c>+U</c> rows that replace their key's row,
/// <c>-D</c> rows that may carry only the key) into a complete one by keeping the last row of each key in keyed state.
/// A new key emits <c>+I</c>; a changed row emits <c>-U</c> (the previous row) and <c>+U</c>; a row equal to the
/// previous one emits nothing; a delete emits <c>-D</c> with the previous row, and nothing when the key has no row (a
/// repeated tombstone). <c>-U</c> input rows are treated as deletes, as in Flink.
/// </summary>
/// <remarks>
/// The last row of a key is state <c>last-row</c>: the row's bytes in <see cref="RowStateSerializer"/> format (the
/// schema is part of the bytes' meaning, so a changed schema needs a new operator uid). Keyed state is checkpointed per
/// key group by the runtime and moves with its keys on rescaling. Emitted rows carry the input record's timestamp.
/// Input rows are never changed (another consumer may share them): one is emitted as it is when its kind is the kind
/// to emit, else as a copy with that kind. Per record the operator allocates the stored bytes, the previous row it
/// emits for an update or delete, and that copy. Runs on the task thread only.
/// </remarks>
internal sealed class ChangelogNormalizeOperator(Schema schema) : KeyedOneInputStreamOperator<string, Row, Row>
{
    private readonly RowStateSerializer _rows = StateSerializers.ForRow(schema);
    private readonly StateWriter _buffer = new(256);
    private IValueState<byte[]> _last = null!;

    /// <inheritdoc />
    public override void Open() => _last = Context.State.GetState(new ValueStateDescriptor<byte[]>("last-row"));

    /// <inheritdoc />
    public override void ProcessElement(Row value, long timestamp)
    {
        var hasPrevious = _last.TryGet(out var previous);
        if (value.Kind is RowKind.Delete or RowKind.UpdateBefore)
        {
            if (hasPrevious)
            {
                var deleted = Decode(previous);
                deleted.Kind = RowKind.Delete;
                _last.Clear();
                Output.Collect(deleted, timestamp);
            }
            return;
        }
        _buffer.Reset();
        _rows.Write(_buffer, value);
        // Byte 0 is the row kind: rows are compared without it.
        if (hasPrevious && _buffer.WrittenSpan[1..].SequenceEqual(previous.AsSpan(1)))
        {
            return; // no change
        }
        _last.Update(_buffer.WrittenSpan.ToArray());
        if (hasPrevious)
        {
            var before = Decode(previous);
            before.Kind = RowKind.UpdateBefore;
            Output.Collect(before, timestamp);
        }
        Output.Collect(WithKind(value, hasPrevious ? RowKind.UpdateAfter : RowKind.Insert), timestamp);
    }

    // The input row may be shared with other consumers of the stream: it is never changed, but copied when its kind differs.
    private static Row WithKind(Row value, RowKind kind)
    {
        if (value.Kind == kind)
        {
            return value;
        }
        var copy = value.Copy();
        copy.Kind = kind;
        return copy;
    }

    private Row Decode(byte[] bytes)
    {
        var reader = new StateReader(bytes);
        var row = _rows.Read(reader, _rows.Version);
        reader.EnsureAtEnd();
        return row;
    }
}
