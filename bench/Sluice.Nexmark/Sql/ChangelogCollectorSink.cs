using Sluice.Nexmark.Results;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Nexmark.Sql;

/// <summary>
/// The sink of the bench's 'nexmark-collect' tables: converts each changelog row of a query's sink table to the
/// query's result row (<typeparamref name="T"/>, the row type every engine produces) and materializes the changelog
/// the way <see cref="ResultCollector{T}"/> counts an insert-only result: <c>+I</c>/<c>+U</c> add the row's
/// fingerprint and count, <c>-U</c>/<c>-D</c> subtract them (wrapping), so the final count and checksum are those of
/// the materialized table whatever order the subtasks' rows arrive in. When rows are kept, the multiset is
/// materialized once at the end. Writers keep their own tallies on their task thread and add them under a lock at
/// <see cref="ISinkWriter{T}.Flush"/> and dispose; <see cref="ToOutput"/> must run after the job ended.
/// </summary>
/// <typeparam name="T">The query's result row.</typeparam>
internal sealed class ChangelogCollectorSink<T>(Func<Row, T> convert, bool keepRows) : ISink<Row>, IResultSink
    where T : struct, INexmarkRow, IEquatable<T>
{
    private readonly Lock _lock = new();
    private readonly Func<Row, T> _convert = convert;
    private readonly Dictionary<T, long>? _multiset = keepRows ? [] : null;
    private long _count;
    private ulong _checksum;

    /// <inheritdoc />
    public int MaxParallelism => 0;

    /// <inheritdoc />
    public ISinkWriter<Row> CreateWriter(SinkContext context) => new Writer(this);

    /// <inheritdoc />
    public QueryOutput ToOutput()
    {
        lock (_lock)
        {
            List<INexmarkRow>? rows = null;
            if (_multiset is not null)
            {
                rows = [];
                foreach (var (row, multiplicity) in _multiset)
                {
                    if (multiplicity < 0)
                    {
                        throw new InvalidOperationException($"The changelog retracts {row} more often than it inserts it ({multiplicity}).");
                    }
                    for (var i = 0; i < multiplicity; i++)
                    {
                        rows.Add(row);
                    }
                }
            }
            return new QueryOutput(_count, _checksum, rows);
        }
    }

    private void Add(long count, ulong checksum, List<(T Row, bool Insert)>? rows)
    {
        lock (_lock)
        {
            _count += count;
            _checksum = unchecked(_checksum + checksum);
            if (rows is not null && _multiset is not null)
            {
                foreach (var (row, insert) in rows)
                {
                    _multiset[row] = _multiset.GetValueOrDefault(row) + (insert ? 1 : -1);
                }
            }
        }
    }

    private sealed class Writer(ChangelogCollectorSink<T> sink) : ISinkWriter<Row>
    {
        private readonly List<(T Row, bool Insert)>? _rows = sink._multiset is null ? null : [];
        private long _count;
        private ulong _checksum;

        public void Write(Row value, long timestamp)
        {
            var row = sink._convert(value);
            if (value.Kind is RowKind.Insert or RowKind.UpdateAfter)
            {
                _count++;
                _checksum = unchecked(_checksum + row.Fingerprint());
                _rows?.Add((row, true));
            }
            else
            {
                _count--;
                _checksum = unchecked(_checksum - row.Fingerprint());
                _rows?.Add((row, false));
            }
        }

        public void Flush()
        {
            sink.Add(_count, _checksum, _rows);
            _count = 0;
            _checksum = 0;
            _rows?.Clear();
        }

        public void Dispose() => Flush();
    }
}

/// <summary>A sink that yields a query's output once its job ended.</summary>
internal interface IResultSink
{
    /// <summary>The materialized result: count, checksum and (when kept) the rows. Call after the job ended.</summary>
    QueryOutput ToOutput();
}
