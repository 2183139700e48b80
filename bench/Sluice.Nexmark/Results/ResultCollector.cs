namespace Sluice.Nexmark.Results;

/// <summary>
/// Consumes a query's result rows: counts them and sums their fingerprints (the blackhole sink of the Flink
/// benchmark, plus a checksum); keeps the rows too when asked (tests, <c>--out</c>). Not thread-safe: one per thread,
/// merged with <see cref="MergeFrom"/>.
/// </summary>
/// <typeparam name="T">Row type.</typeparam>
public sealed class ResultCollector<T> where T : INexmarkRow
{
    private readonly List<T>? _rows;

    /// <summary>Creates a collector.</summary>
    /// <param name="keepRows">Keep every row (costs memory and time: only for tests and <c>--out</c>).</param>
    public ResultCollector(bool keepRows) => _rows = keepRows ? [] : null;

    /// <summary>Rows consumed.</summary>
    public long Count { get; private set; }

    /// <summary>Wrapping sum of the rows' fingerprints.</summary>
    public ulong Checksum { get; private set; }

    /// <summary>Whether rows are kept.</summary>
    public bool KeepsRows => _rows is not null;

    /// <summary>The rows kept (empty unless constructed with keepRows).</summary>
    public IReadOnlyList<T> Rows => (IReadOnlyList<T>?)_rows ?? [];

    /// <summary>Consumes one row.</summary>
    public void Add(T row)
    {
        Count++;
        Checksum = unchecked(Checksum + row.Fingerprint());
        _rows?.Add(row);
    }

    /// <summary>Adds everything <paramref name="other"/> consumed.</summary>
    public void MergeFrom(ResultCollector<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Count += other.Count;
        Checksum = unchecked(Checksum + other.Checksum);
        if (_rows is not null && other._rows is not null)
        {
            _rows.AddRange(other._rows);
        }
    }

    /// <summary>The outcome, with rows boxed for writing (only when kept).</summary>
    public QueryOutput ToOutput() => new(Count, Checksum, _rows?.ConvertAll(static r => (INexmarkRow)r));
}

/// <summary>What one engine produced for one query.</summary>
/// <param name="Count">Result rows.</param>
/// <param name="Checksum">Wrapping sum of the rows' fingerprints (order independent).</param>
/// <param name="Rows">The rows, when kept.</param>
public sealed record QueryOutput(long Count, ulong Checksum, IReadOnlyList<INexmarkRow>? Rows);
