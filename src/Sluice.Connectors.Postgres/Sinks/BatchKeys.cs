using Sluice.Schemas;

namespace Sluice.Connectors.Postgres.Sinks;

/// <summary>
/// Whether the key values of one batch are all distinct, for a single-column key of an integer type: lets a prepared
/// upsert skip sorting its batch by key when no row supersedes another. Integers only: text keys are equal or not by
/// the target column's collation and length (a case-insensitive collation or a varchar(n) can make distinct strings
/// one key), which the writer does not know, so their batches are always sorted. Tracks at most
/// <see cref="MaxTracked"/> keys; a larger batch counts as having repeats. Not thread-safe: one per writer.
/// </summary>
internal abstract class BatchKeys
{
    /// <summary>The most keys tracked per batch (about 40 MB for 64-bit keys); beyond, the batch counts as having repeats.</summary>
    public const int MaxTracked = 1 << 21;

    /// <summary>Whether no key was added twice since the last <see cref="Clear"/> (false once more than <see cref="MaxTracked"/> were added).</summary>
    public bool AllDistinct { get; protected set; } = true;

    /// <summary>A tracker for keys of <paramref name="kind"/>, or null for a kind it does not track (every batch is then sorted).</summary>
    public static BatchKeys? For(DataTypeKind kind) => kind switch
    {
        DataTypeKind.Int or DataTypeKind.BigInt => new IntegerKeys(kind),
        _ => null,
    };

    /// <summary>Notes the key in field <paramref name="index"/> of <paramref name="row"/> (never null: the writer refuses null keys first).</summary>
    public abstract void Add(Row row, int index);

    /// <summary>Forgets the batch's keys; a large set is dropped rather than kept for the next batch.</summary>
    public abstract void Clear();

    private sealed class IntegerKeys(DataTypeKind kind) : BatchKeys
    {
        private HashSet<long> _seen = [];

        public override void Add(Row row, int index)
        {
            if (!AllDistinct)
            {
                return;
            }
            var key = kind == DataTypeKind.Int ? row.GetInt32(index) : row.GetInt64(index);
            AllDistinct = _seen.Count < MaxTracked && _seen.Add(key);
        }

        public override void Clear()
        {
            AllDistinct = true;
            if (_seen.Count > 65_536)
            {
                _seen = [];
            }
            else
            {
                _seen.Clear();
            }
        }
    }
}
