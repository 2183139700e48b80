using Parquet;
using Parquet.Schema;
using Sluice.Schemas;

namespace Sluice.Formats.Parquet;

/// <summary>
/// Writes rows of one <see cref="Schema"/> into one Parquet file: rows are buffered column by column and written as a
/// row group once their estimated size reaches <see cref="ParquetWriteOptions.RowGroupBytes"/>; <see cref="Finish"/>
/// writes the last row group and the footer, after which the file is complete and nothing can be appended (a bulk
/// format). Not thread-safe: one writer per part file, used on the sink writer's thread.
/// </summary>
/// <remarks>
/// Ownership: the writer does not dispose <c>output</c>; the caller flushes and closes it after <see cref="Finish"/>.
/// Allocation: the column buffers grow to one row group and are reused; per row, nothing beyond the values the row
/// already holds. Parquet.Net's API is asynchronous; over a synchronous <see cref="FileStream"/> its tasks complete
/// inline, so the writer waits on them (the sink writer's methods are synchronous).
/// </remarks>
internal sealed class ParquetRowWriter : IDisposable
{
    private readonly Stream _output;
    private readonly ParquetWriteOptions _options;
    private readonly ParquetWriter _writer;
    private readonly ColumnBuffer[] _columns;
    private int _rows;
    private long _buffered;
    private bool _finished;

    /// <summary>Creates the writer and writes the file's header.</summary>
    /// <param name="schema">The rows' schema (scalar columns only).</param>
    /// <param name="output">A writable, seekable stream positioned at its start.</param>
    /// <param name="options">Compression and row-group size.</param>
    /// <exception cref="Sluice.Configuration.ConfigOptionsException">A column is nested (ROW, ARRAY, MAP).</exception>
    public ParquetRowWriter(Schema schema, Stream output, ParquetWriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        var fields = ParquetSchemas.Columns(schema);
        _columns = new ColumnBuffer[fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            _columns[i] = ColumnBuffer.For(schema[i].Type, fields[i]);
        }
        _output = output;
        _options = options;
        _writer = ParquetWriter.CreateAsync(new ParquetSchema(fields), output, new global::Parquet.ParquetOptions { CompressionMethod = options.Compression })
            .GetAwaiter().GetResult();
    }

    /// <summary>The rows written so far (buffered or in row groups).</summary>
    public long RowCount { get; private set; }

    /// <summary>The bytes of the row groups written so far plus the estimated size of the buffered rows.</summary>
    public long EstimatedSize => _output.Position + _buffered;

    /// <summary>Adds <paramref name="row"/> (of the writer's schema); writes a row group when the buffer is full.</summary>
    /// <exception cref="InvalidOperationException">The file was finished.</exception>
    public void Write(Row row)
    {
        ArgumentNullException.ThrowIfNull(row);
        ObjectDisposedException.ThrowIf(_finished, this);
        var columns = _columns;
        var size = 0L;
        for (var i = 0; i < columns.Length; i++)
        {
            size += columns[i].Add(row, i, _rows);
        }
        _rows++;
        RowCount++;
        _buffered += size;
        if (_buffered >= _options.RowGroupBytes)
        {
            WriteRowGroup();
        }
    }

    /// <summary>Writes the buffered rows and the footer: the file is complete. Idempotent.</summary>
    public void Finish()
    {
        if (_finished)
        {
            return;
        }
        if (_rows > 0)
        {
            WriteRowGroup();
        }
        _finished = true;
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Releases the Parquet writer without completing the file when it was not finished (the file is then invalid).</summary>
    public void Dispose()
    {
        if (!_finished)
        {
            _finished = true;
            try
            {
                _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            catch (IOException)
            {
                // The file is abandoned (its checkpoint never completes); the next start deletes it.
            }
        }
    }

    private void WriteRowGroup()
    {
        using (var group = _writer.CreateRowGroup())
        {
            foreach (var column in _columns)
            {
                column.Write(group, _rows);
            }
            group.CompleteValidate();
        }
        _rows = 0;
        _buffered = 0;
    }

    /// <summary>The buffered values of one column of the current row group.</summary>
    private abstract class ColumnBuffer(DataField field)
    {
        protected const int InitialCapacity = 1024;

        protected DataField Field { get; } = field;

        /// <summary>Stores the value of <paramref name="column"/> of <paramref name="row"/> at <paramref name="at"/>; returns its estimated size in bytes.</summary>
        public abstract long Add(Row row, int column, int at);

        /// <summary>Writes the first <paramref name="count"/> values as the column's chunk of <paramref name="group"/>.</summary>
        public abstract void Write(ParquetRowGroupWriter group, int count);

        public static ColumnBuffer For(DataType type, DataField field) => type.Kind switch
        {
            DataTypeKind.Boolean => new StructBuffer<bool>(field, type.IsNullable, 1, static (r, c) => r.GetBoolean(c)),
            DataTypeKind.Int => new StructBuffer<int>(field, type.IsNullable, 4, static (r, c) => r.GetInt32(c)),
            DataTypeKind.BigInt => new StructBuffer<long>(field, type.IsNullable, 8, static (r, c) => r.GetInt64(c)),
            DataTypeKind.Float => new StructBuffer<float>(field, type.IsNullable, 4, static (r, c) => r.GetSingle(c)),
            DataTypeKind.Double => new StructBuffer<double>(field, type.IsNullable, 8, static (r, c) => r.GetDouble(c)),
            DataTypeKind.Decimal => new StructBuffer<decimal>(field, type.IsNullable, 16, static (r, c) => r.GetDecimal(c)),
            DataTypeKind.Date => new StructBuffer<DateOnly>(field, type.IsNullable, 4, static (r, c) => r.GetDate(c)),
            DataTypeKind.Time => new StructBuffer<long>(field, type.IsNullable, 8, static (r, c) => r.GetTime(c).Ticks / TimeSpan.TicksPerMicrosecond),
            // Utc kind for both timestamps: Parquet.Net then stores the ticks as they are, never shifting them by the
            // machine's time zone; TIMESTAMP's column says isAdjustedToUTC = false, so readers see the wall-clock value.
            DataTypeKind.Timestamp => new StructBuffer<DateTime>(field, type.IsNullable, 8, static (r, c) => DateTime.SpecifyKind(r.GetTimestamp(c), DateTimeKind.Utc)),
            DataTypeKind.TimestampLtz => new StructBuffer<DateTime>(field, type.IsNullable, 8, static (r, c) => r.GetTimestampLtz(c).UtcDateTime),
            DataTypeKind.Varchar => new StringBuffer(field),
            DataTypeKind.Bytes => new BytesBuffer(field),
            _ => throw new InvalidOperationException($"Column '{field.Name}' has no Parquet buffer for {type}."),
        };

        protected static void EnsureCapacity<TValue>(ref TValue[] values, int at)
        {
            if (at >= values.Length)
            {
                Array.Resize(ref values, values.Length * 2);
            }
        }
    }

    private sealed class StructBuffer<TValue>(DataField field, bool nullable, int size, Func<Row, int, TValue> get) : ColumnBuffer(field)
        where TValue : struct
    {
        private TValue[] _values = nullable ? [] : new TValue[InitialCapacity];
        private TValue?[] _nullable = nullable ? new TValue?[InitialCapacity] : [];

        public override long Add(Row row, int column, int at)
        {
            if (nullable)
            {
                EnsureCapacity(ref _nullable, at);
                _nullable[at] = row.IsNull(column) ? null : get(row, column);
            }
            else
            {
                EnsureCapacity(ref _values, at);
                _values[at] = get(row, column);
            }
            return size;
        }

        public override void Write(ParquetRowGroupWriter group, int count)
        {
            if (nullable)
            {
                group.WriteAsync<TValue>(Field, new ReadOnlyMemory<TValue?>(_nullable, 0, count)).GetAwaiter().GetResult();
            }
            else
            {
                group.WriteAsync<TValue>(Field, new ReadOnlyMemory<TValue>(_values, 0, count)).GetAwaiter().GetResult();
            }
        }
    }

    private sealed class StringBuffer(DataField field) : ColumnBuffer(field)
    {
        private string?[] _values = new string?[InitialCapacity];

        public override long Add(Row row, int column, int at)
        {
            EnsureCapacity(ref _values, at);
            var value = row.IsNull(column) ? null : row.GetString(column);
            _values[at] = value;
            return 4 + (value?.Length ?? 0);
        }

        public override void Write(ParquetRowGroupWriter group, int count)
        {
            group.WriteAsync(Field, new ArraySegment<string>(_values!, 0, count)).GetAwaiter().GetResult();
            Array.Clear(_values, 0, count); // do not keep the strings alive until the next row group
        }
    }

    private sealed class BytesBuffer(DataField field) : ColumnBuffer(field)
    {
        private byte[]?[] _values = new byte[]?[InitialCapacity];

        public override long Add(Row row, int column, int at)
        {
            EnsureCapacity(ref _values, at);
            var value = row.IsNull(column) ? null : row.GetBytes(column);
            _values[at] = value;
            return 4 + (value?.Length ?? 0);
        }

        public override void Write(ParquetRowGroupWriter group, int count)
        {
            group.WriteAsync(Field, new ArraySegment<byte[]>(_values!, 0, count)).GetAwaiter().GetResult();
            Array.Clear(_values, 0, count);
        }
    }
}
