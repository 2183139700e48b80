using System.Runtime.CompilerServices;
using Sluice.Schemas;

namespace Sluice.Sql.Runtime;

/// <summary>
/// The rows behind recently decoded row keys (<see cref="StoredRowCodec.ToKey"/>), so a join that tests the same
/// stored rows again and again (every bid against its auction, every update of a window's maximum against the
/// window's rows) decodes each once. A direct-mapped table indexed by the key string's identity: a hit needs the very
/// string instance decoded before, which the heap backend hands out for as long as the entry is stored; RocksDB
/// hands out new strings, so there every lookup misses and decodes, as without the cache. A key fully encodes its row,
/// so a hit is always the right row.
/// </summary>
/// <remarks>
/// Cached rows are shared: callers only read them (the join copies their fields into the rows it emits). The table
/// keeps up to <see cref="Capacity"/> decoded rows and their keys alive. Rows with a nested ROW field are never
/// cached (an emitted row shares its nested rows with the row it was copied from). Not thread-safe: one instance per operator
/// side.
/// </remarks>
internal sealed class DecodedRowCache
{
    /// <summary>The number of slots.</summary>
    public const int Capacity = 4096;

    private readonly StoredRowCodec _codec;
    private readonly string?[] _keys;
    private readonly Row?[] _rows;

    /// <summary>Creates an empty cache in front of <paramref name="codec"/>.</summary>
    public DecodedRowCache(StoredRowCodec codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        _codec = codec;
        _keys = new string?[Capacity];
        _rows = new Row?[Capacity];
        for (var i = 0; i < codec.Schema.Count; i++)
        {
            if (codec.Schema[i].Type.Kind == DataTypeKind.Row)
            {
                // Emitted rows share nested rows with the row they were copied from: decode afresh every time.
                _keys = [];
                _rows = [];
                break;
            }
        }
    }

    /// <summary>Decodes (or finds) the row of <paramref name="key"/>; the caller must not modify it.</summary>
    /// <exception cref="Sluice.State.Serialization.StateFormatException">The key is not a row key of the codec's schema.</exception>
    public Row Get(string key)
    {
        if (_keys.Length == 0)
        {
            return _codec.FromKey(key);
        }
        var slot = RuntimeHelpers.GetHashCode(key) & (Capacity - 1);
        if (ReferenceEquals(_keys[slot], key))
        {
            return _rows[slot]!;
        }
        var row = _codec.FromKey(key);
        _keys[slot] = key;
        _rows[slot] = row;
        return row;
    }
}
