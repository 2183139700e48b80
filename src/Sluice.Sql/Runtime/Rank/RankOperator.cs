using Sluice.Operators;
using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.State;

namespace Sluice.Sql.Runtime;

/// <summary>
/// Flink's streaming Top-N (<c>Rank</c>): per partition key, keeps the rows ordered by the sort keys and emits the
/// changes to the rows whose rank is in [<see cref="RankSpec.RankStart"/>, <see cref="RankSpec.RankEnd"/>], so that a
/// materialized copy of the output always holds exactly the current Top-N. The input may be insert-only or updating
/// (<c>+I</c>/<c>+U</c> add a row, <c>-U</c>/<c>-D</c> retract the most recent equal row; retracting a row that is
/// not held does nothing).
/// </summary>
/// <remarks>
/// <para>Output (<see cref="RankSpec.Output"/>), per input record, the difference between the range before and after:
/// without the rank number, <c>-D</c> for each row that left the range and <c>+I</c> for each that entered it; with
/// the rank number, for <c>ROW_NUMBER</c> per rank position <c>-U</c>(old row, rank) and <c>+U</c>(new row, rank)
/// when the row at a position changed, <c>+I</c> when a position got a row and <c>-D</c> when it lost one; for
/// <c>RANK</c>/<c>DENSE_RANK</c> the (row, rank) pairs that left and entered, paired as <c>-U</c>/<c>+U</c>, the rest
/// <c>-D</c>/<c>+I</c>. Ties keep arrival order for <c>ROW_NUMBER</c>. Rows carry the input record's timestamp.</para>
/// <para>State, per partition key: value state <c>sorted-rows</c>, the partition's rows in rank order as a row list
/// (<see cref="StoredRowCodec"/>, version 1). Insert-only input keeps only the rows whose rank can still reach the
/// range; updating input keeps every row. With <see cref="RankSpec.StateTtl"/> the partition is forgotten that long
/// after its last change.</para>
/// <para>Cost per record: the partition's list is decoded and rewritten (O(rows kept)); fine for the usual small N,
/// proportional to the partition for updating input. Task thread only.</para>
/// </remarks>
internal sealed class RankOperator : KeyedOneInputStreamOperator<string, Row, Row>
{
    private readonly RankSpec _spec;
    private readonly RowSortComparer _order;
    private readonly StoredRowCodec _codec;
    private readonly Schema _output;
    private readonly List<Row> _rows = [];
    private readonly List<Row> _before = [];
    private readonly List<long> _beforeRanks = [];
    private readonly List<long> _afterRanks = [];
    private readonly List<(Row Row, long Rank)> _removed = [];
    private readonly List<(Row Row, long Rank)> _added = [];
    private IValueState<byte[]> _state = null!;

    /// <summary>Creates one subtask's operator.</summary>
    /// <exception cref="ArgumentException">The spec is invalid (see <see cref="RankSpec.Validate"/>).</exception>
    public RankOperator(RankSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        _spec = spec;
        _order = new RowSortComparer(spec.Input, spec.SortKeys);
        _codec = new StoredRowCodec(spec.Input);
        _output = spec.Output;
    }

    /// <summary>Keys <paramref name="input"/> by the partition keys and ranks it. Give the result a <c>Uid</c>.</summary>
    /// <exception cref="ArgumentException">The spec is invalid.</exception>
    public static DataStream<Row> Apply(DataStream<Row> input, RankSpec spec, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var keyed = spec.PartitionKeys.Count == 0
            ? input.KeyBy(static _ => string.Empty)
            : input.KeyBy(JoinRows.KeyEncoder(spec.Input, spec.PartitionKeys).Encode);
        return keyed.Transform(name ?? $"Rank({spec.Function}, {spec.RankStart}..{spec.RankEnd})", () => new RankOperator(spec));
    }

    /// <inheritdoc />
    public override void Open() =>
        _state = Context.State.GetState(new ValueStateDescriptor<byte[]>("sorted-rows") { Ttl = _spec.StateTtl is { } t ? new StateTtlConfig(t) : null });

    /// <inheritdoc />
    public override void ProcessElement(Row value, long timestamp)
    {
        _rows.Clear();
        if (_state.TryGet(out var bytes))
        {
            _codec.ReadList(bytes, _rows);
        }
        _before.Clear();
        _before.AddRange(_rows);
        if (value.Kind is RowKind.Insert or RowKind.UpdateAfter)
        {
            var stored = value.Copy();
            stored.Kind = RowKind.Insert;
            var position = UpperBound(stored);
            if (_spec.InputInsertOnly && _spec.Function == RankFunction.RowNumber && position >= _spec.RankEnd)
            {
                return; // its row number would be past the range, and later rows only push it further
            }
            _rows.Insert(position, stored);
            if (_spec.InputInsertOnly)
            {
                Ranks(_rows, _afterRanks);
                var keep = _rows.Count;
                while (keep > 0 && _afterRanks[keep - 1] > _spec.RankEnd)
                {
                    keep--;
                }
                _rows.RemoveRange(keep, _rows.Count - keep);
            }
        }
        else if (!Remove(value))
        {
            return; // not held: nothing changes
        }
        Ranks(_before, _beforeRanks);
        Ranks(_rows, _afterRanks);
        EmitChanges(timestamp);
        if (_rows.Count == 0)
        {
            _state.Clear();
        }
        else
        {
            _state.Update(_codec.WriteList(_rows));
        }
    }

    private int UpperBound(Row row) => SortedRows.UpperBound(_rows, row, _order);

    private bool Remove(Row value)
    {
        var probe = value.Copy();
        probe.Kind = RowKind.Insert;
        // Equal rows tie on the sort keys: search the run of ties just before the upper bound.
        for (var i = UpperBound(probe) - 1; i >= 0 && _order.Compare(_rows[i], probe) == 0; i--)
        {
            if (_rows[i].Equals(probe))
            {
                _rows.RemoveAt(i);
                return true;
            }
        }
        return false;
    }

    private void Ranks(List<Row> rows, List<long> ranks) => SortedRows.Ranks(rows, _spec.Function, _order, ranks);

    private void EmitChanges(long timestamp)
    {
        if (_spec.OutputRankNumber && _spec.Function == RankFunction.RowNumber)
        {
            // Position-wise: rank r is at index r - 1.
            var last = Math.Min(_spec.RankEnd, Math.Max(_before.Count, _rows.Count));
            for (var rank = _spec.RankStart; rank <= last; rank++)
            {
                var index = (int)(rank - 1);
                var old = index < _before.Count ? _before[index] : null;
                var now = index < _rows.Count ? _rows[index] : null;
                if (old is null && now is null)
                {
                    break;
                }
                if (old is not null && now is not null)
                {
                    if (!ReferenceEquals(old, now) && !old.Equals(now))
                    {
                        Emit(old, rank, RowKind.UpdateBefore, timestamp);
                        Emit(now, rank, RowKind.UpdateAfter, timestamp);
                    }
                }
                else if (now is not null)
                {
                    Emit(now, rank, RowKind.Insert, timestamp);
                }
                else
                {
                    Emit(old!, rank, RowKind.Delete, timestamp);
                }
            }
            return;
        }
        Diff();
        var paired = _spec.OutputRankNumber ? Math.Min(_removed.Count, _added.Count) : 0;
        for (var i = 0; i < paired; i++)
        {
            Emit(_removed[i].Row, _removed[i].Rank, RowKind.UpdateBefore, timestamp);
            Emit(_added[i].Row, _added[i].Rank, RowKind.UpdateAfter, timestamp);
        }
        for (var i = paired; i < _removed.Count; i++)
        {
            Emit(_removed[i].Row, _removed[i].Rank, RowKind.Delete, timestamp);
        }
        for (var i = paired; i < _added.Count; i++)
        {
            Emit(_added[i].Row, _added[i].Rank, RowKind.Insert, timestamp);
        }
        _removed.Clear();
        _added.Clear();
    }

    // The (row, rank) entries of the range that left and entered it, by a merge of the two sorted lists: an entry
    // equal in both (same row, and the same rank when the rank is output) is unchanged.
    private void Diff()
    {
        _removed.Clear();
        _added.Clear();
        int i = Start(_beforeRanks), j = Start(_afterRanks);
        var iEnd = End(_beforeRanks, i);
        var jEnd = End(_afterRanks, j);
        while (i < iEnd || j < jEnd)
        {
            if (i == iEnd)
            {
                _added.Add((_rows[j], _afterRanks[j]));
                j++;
                continue;
            }
            if (j == jEnd)
            {
                _removed.Add((_before[i], _beforeRanks[i]));
                i++;
                continue;
            }
            var order = _order.Compare(_before[i], _rows[j]);
            if (order == 0 && (ReferenceEquals(_before[i], _rows[j]) || _before[i].Equals(_rows[j])) && (!_spec.OutputRankNumber || _beforeRanks[i] == _afterRanks[j]))
            {
                i++;
                j++;
            }
            else if (order < 0 || (order == 0 && !ReferenceEquals(_before[i], _rows[j])))
            {
                _removed.Add((_before[i], _beforeRanks[i]));
                i++;
            }
            else
            {
                _added.Add((_rows[j], _afterRanks[j]));
                j++;
            }
        }
    }

    private int Start(List<long> ranks)
    {
        var index = 0;
        while (index < ranks.Count && ranks[index] < _spec.RankStart)
        {
            index++;
        }
        return index;
    }

    private int End(List<long> ranks, int start)
    {
        var index = start;
        while (index < ranks.Count && ranks[index] <= _spec.RankEnd)
        {
            index++;
        }
        return index;
    }

    private void Emit(Row row, long rank, RowKind kind, long timestamp)
    {
        Row output;
        if (_spec.OutputRankNumber)
        {
            output = new Row(_output);
            for (var i = 0; i < row.FieldCount; i++)
            {
                row.CopyFieldTo(i, output, i);
            }
            output.SetInt64(row.FieldCount, rank);
        }
        else
        {
            output = row.Copy();
        }
        output.Kind = kind;
        Output.Collect(output, timestamp);
    }
}
