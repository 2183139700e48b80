using System.Diagnostics.CodeAnalysis;
using Parquet;
using Parquet.Schema;
using Sluice.Schemas;

namespace Sluice.Formats.Parquet;

/// <summary>
/// Reads the rows of one Parquet file into rows of a table schema, one row group at a time: <see cref="TryOpen"/>
/// checks that the file is Parquet and holds every NOT NULL column of the schema with a compatible type (a nullable
/// column the file lacks reads as null: the file was written before the column was added), <see cref="LoadRowGroup"/>
/// decodes a row group's columns into reused buffers, and <see cref="TryFill"/> copies one row of it into a
/// <see cref="Row"/>. Not thread-safe: one reader per file, on the source reader's thread.
/// </summary>
/// <remarks>
/// Compatible types (file → column): the types <see cref="ParquetSchemas"/> writes, plus the widenings int32 → BIGINT and
/// float → DOUBLE, millisecond and nanosecond TIME, and any Parquet timestamp (INT96 included) for TIMESTAMP and
/// TIMESTAMP_LTZ. Columns of the file that the schema does not name are ignored. Ownership: the reader owns the stream.
/// </remarks>
internal sealed class ParquetRowReader : IDisposable
{
    private static readonly global::Parquet.ParquetOptions s_options = new() { UseDateOnlyTypeForDates = true };

    private readonly Stream _stream;
    private readonly ParquetReader _reader;
    private readonly ReadColumn[] _columns;

    private ParquetRowReader(Stream stream, ParquetReader reader, ReadColumn[] columns)
    {
        _stream = stream;
        _reader = reader;
        _columns = columns;
    }

    /// <summary>The number of row groups.</summary>
    public int RowGroupCount => _reader.RowGroupCount;

    /// <summary>The number of rows of row group <paramref name="index"/>, from the footer (nothing is decoded).</summary>
    public long RowsOf(int index) => _reader.RowGroups[index].RowCount;

    /// <summary>
    /// Opens the Parquet file in <paramref name="stream"/> for rows of <paramref name="schema"/>. On failure the stream
    /// is disposed and <paramref name="error"/> says why (not Parquet; a column missing or of an incompatible type,
    /// naming it in <see cref="FormatError.FieldPath"/>).
    /// </summary>
    public static bool TryOpen(Stream stream, Schema schema, [NotNullWhen(true)] out ParquetRowReader? reader, [NotNullWhen(false)] out FormatError? error)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(schema);
        reader = null;
        ParquetReader parquet;
        try
        {
            parquet = ParquetReader.CreateAsync(stream, s_options).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException)
        {
            stream.Dispose();
            error = new FormatError($"The file is not a valid Parquet file: {e.Message}");
            return false;
        }
        var columns = new ReadColumn[schema.Count];
        for (var i = 0; i < schema.Count; i++)
        {
            if ((error = Match(parquet.Schema, schema[i], out columns[i]!)) is not null)
            {
                parquet.DisposeAsync().AsTask().GetAwaiter().GetResult();
                stream.Dispose();
                return false;
            }
        }
        reader = new ParquetRowReader(stream, parquet, columns);
        error = null;
        return true;
    }

    /// <summary>Decodes row group <paramref name="index"/> into the buffers; returns its row count.</summary>
    /// <exception cref="InvalidDataException">The row group's data is damaged; the message says which column.</exception>
    public int LoadRowGroup(int index)
    {
        using var group = _reader.OpenRowGroupReader(index);
        var count = checked((int)group.RowCount);
        foreach (var column in _columns)
        {
            try
            {
                column.Load(group, count);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException)
            {
                throw new InvalidDataException($"Column '{column.Name}' of row group {index} cannot be decoded: {e.Message}", e);
            }
        }
        return count;
    }

    /// <summary>
    /// Sets, for each column <c>i</c> of the schema, field <c>targets[i]</c> of <paramref name="target"/> from row
    /// <paramref name="row"/> of the loaded row group.
    /// </summary>
    /// <returns>Null, or why the row does not fit the schema (a null in a NOT NULL column, a decimal too wide), naming the column.</returns>
    public FormatError? TryFill(int row, Row target, int[] targets)
    {
        var columns = _columns;
        for (var i = 0; i < columns.Length; i++)
        {
            if (!columns[i].TrySet(row, target, targets[i]))
            {
                return columns[i].ErrorAt(row);
            }
        }
        return null;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        _reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _stream.Dispose();
    }

    private static FormatError? Match(ParquetSchema file, Sluice.Schemas.Field field, out ReadColumn? column)
    {
        column = null;
        DataField? found = null;
        foreach (var candidate in file.Fields)
        {
            if (candidate.Name == field.Name)
            {
                found = candidate as DataField;
                if (found is null || found.IsArray)
                {
                    return new FormatError($"Column '{field.Name}' is a nested Parquet field ({candidate.SchemaType}), but the table declares it {field.Type}.", field.Name);
                }
                break;
            }
        }
        if (found is null)
        {
            if (field.Type.IsNullable)
            {
                // A file written before the column was added (schema evolution): its rows read null there.
                column = new MissingColumn(field);
                return null;
            }
            return new FormatError($"The file has no column '{field.Name}', which the table declares NOT NULL ({field.Type}); a file may lack nullable columns only (they read as null).", field.Name);
        }
        column = ReadColumn.For(field, found);
        return column is null
            ? new FormatError($"Column '{field.Name}' is {Describe(found)} in the file, which does not convert to the table's {field.Type}.", field.Name)
            : null;
    }

    private static string Describe(DataField field) => field switch
    {
        DecimalDataField d => $"DECIMAL({d.Precision},{d.Scale})",
        TimeDataField t => $"TIME({t.Precision})",
        DateTimeDataField d => $"{d.DateTimeFormat} {d.Unit}",
        _ => field.ClrType == typeof(ReadOnlyMemory<char>) ? "STRING" : field.ClrType == typeof(ReadOnlyMemory<byte>) ? "BINARY" : field.ClrType.Name,
    };

    /// <summary>One column of the schema: its decoded values of the loaded row group.</summary>
    private abstract class ReadColumn(Sluice.Schemas.Field column, DataField? file)
    {
        public string Name { get; } = column.Name;

        protected DataField File { get; } = file!; // null only for a MissingColumn, which reads nothing

        protected bool NotNull { get; } = !column.Type.IsNullable;

        protected DataType Type { get; } = column.Type;

        public abstract void Load(ParquetRowGroupReader group, int count);

        public abstract bool TrySet(int row, Row target, int index);

        public virtual FormatError ErrorAt(int row) =>
            new($"Column '{Name}' is NOT NULL but the file holds null in row {row} of its row group.", Name);

        protected static TValue[] Buffer<TValue>(ref TValue[]? values, int count)
        {
            if (values is null || values.Length < count)
            {
                values = new TValue[Math.Max(count, 1024)];
            }
            return values;
        }

        public static ReadColumn? For(Sluice.Schemas.Field field, DataField file)
        {
            var clr = file.ClrType;
            return field.Type.Kind switch
            {
                DataTypeKind.Boolean when clr == typeof(bool) => new StructColumn<bool>(field, file, static (r, i, v) => r.SetBoolean(i, v)),
                DataTypeKind.Int when clr == typeof(int) => new StructColumn<int>(field, file, static (r, i, v) => r.SetInt32(i, v)),
                DataTypeKind.BigInt when clr == typeof(long) => new StructColumn<long>(field, file, static (r, i, v) => r.SetInt64(i, v)),
                DataTypeKind.BigInt when clr == typeof(int) => new StructColumn<int>(field, file, static (r, i, v) => r.SetInt64(i, v)),
                DataTypeKind.Float when clr == typeof(float) => new StructColumn<float>(field, file, static (r, i, v) => r.SetSingle(i, v)),
                DataTypeKind.Double when clr == typeof(double) => new StructColumn<double>(field, file, static (r, i, v) => r.SetDouble(i, v)),
                DataTypeKind.Double when clr == typeof(float) => new StructColumn<float>(field, file, static (r, i, v) => r.SetDouble(i, v)),
                DataTypeKind.Decimal when clr == typeof(decimal) => new DecimalColumn(field, file),
                DataTypeKind.Date when clr == typeof(DateOnly) => new StructColumn<DateOnly>(field, file, static (r, i, v) => r.SetDate(i, v)),
                DataTypeKind.Time when file is TimeDataField && clr == typeof(int) => new StructColumn<int>(field, file, static (r, i, v) => r.SetTime(i, new TimeOnly(v * TimeSpan.TicksPerMillisecond))),
                DataTypeKind.Time when file is TimeDataField { Precision: TimeUnitPrecision.Nanos } && clr == typeof(long) => new StructColumn<long>(field, file, static (r, i, v) => r.SetTime(i, new TimeOnly(v / 100))),
                DataTypeKind.Time when file is TimeDataField && clr == typeof(long) => new StructColumn<long>(field, file, static (r, i, v) => r.SetTime(i, new TimeOnly(v * TimeSpan.TicksPerMicrosecond))),
                DataTypeKind.Timestamp when clr == typeof(DateTime) && file is not DateTimeDataField { DateTimeFormat: DateTimeFormat.Date } =>
                    new StructColumn<DateTime>(field, file, static (r, i, v) => r.SetTimestamp(i, new DateTime(v.Ticks, DateTimeKind.Unspecified))),
                DataTypeKind.TimestampLtz when clr == typeof(DateTime) && file is not DateTimeDataField { DateTimeFormat: DateTimeFormat.Date } =>
                    new StructColumn<DateTime>(field, file, static (r, i, v) => r.SetTimestampLtz(i, new DateTimeOffset(v.Ticks, TimeSpan.Zero))),
                DataTypeKind.Varchar when clr == typeof(ReadOnlyMemory<char>) => new StringColumn(field, file),
                DataTypeKind.Bytes when clr == typeof(ReadOnlyMemory<byte>) => new BytesColumn(field, file),
                _ => null,
            };
        }
    }

    /// <summary>A nullable column the file does not have: every row reads null.</summary>
    private sealed class MissingColumn(Sluice.Schemas.Field field) : ReadColumn(field, null)
    {
        public override void Load(ParquetRowGroupReader group, int count)
        {
        }

        public override bool TrySet(int row, Row target, int index)
        {
            target.SetNull(index);
            return true;
        }
    }

    /// <remarks>
    /// A column the file declares required (no definition levels) is read through Parquet.Net's non-nullable overload:
    /// its nullable overload (6.1.0) rents the definition levels from the shared array pool without clearing them and
    /// never fills them for a required column, so whatever a previous user left there (a negative number) turned values
    /// into nulls at random ("NOT NULL but the file holds null").
    /// </remarks>
    private class StructColumn<TValue>(Sluice.Schemas.Field field, DataField file, Action<Row, int, TValue> set) : ReadColumn(field, file)
        where TValue : struct
    {
        private readonly bool _required = file.MaxDefinitionLevel == 0;
        private TValue?[]? _values;
        private TValue[]? _requiredValues;

        public override void Load(ParquetRowGroupReader group, int count)
        {
            if (_required)
            {
                var required = Buffer(ref _requiredValues, count);
                group.ReadAsync<TValue>(File, required.AsMemory(0, count)).GetAwaiter().GetResult();
                return;
            }
            var values = Buffer(ref _values, count);
            group.ReadAsync<TValue>(File, values.AsMemory(0, count)).GetAwaiter().GetResult();
        }

        public override bool TrySet(int row, Row target, int index)
        {
            if (_required)
            {
                return Set(target, index, _requiredValues![row]);
            }
            if (_values![row] is not { } value)
            {
                if (NotNull)
                {
                    return false;
                }
                target.SetNull(index);
                return true;
            }
            return Set(target, index, value);
        }

        protected virtual bool Set(Row target, int index, TValue value)
        {
            set(target, index, value);
            return true;
        }

        protected TValue? ValueAt(int row) => _required ? _requiredValues![row] : _values![row];
    }

    private sealed class DecimalColumn(Sluice.Schemas.Field field, DataField file) : StructColumn<decimal>(field, file, static (r, i, v) => r.SetDecimal(i, v))
    {
        protected override bool Set(Row target, int index, decimal value)
        {
            if (!Type.TryRoundDecimal(value, out var rounded))
            {
                return false;
            }
            target.SetDecimal(index, rounded);
            return true;
        }

        public override FormatError ErrorAt(int row) => ValueAt(row) is { } value
            ? new FormatError($"Column '{Name}' holds {value} in row {row} of its row group, which does not fit {Type}.", Name)
            : base.ErrorAt(row);
    }

    private sealed class StringColumn(Sluice.Schemas.Field field, DataField file) : ReadColumn(field, file)
    {
        private string?[]? _values;

        public override void Load(ParquetRowGroupReader group, int count)
        {
            var values = Buffer(ref _values, count);
            group.ReadAsync(File, values.AsMemory(0, count)!).GetAwaiter().GetResult();
        }

        public override bool TrySet(int row, Row target, int index)
        {
            var value = _values![row];
            if (value is null && NotNull)
            {
                return false;
            }
            target.SetString(index, value);
            _values[row] = null;
            return true;
        }
    }

    private sealed class BytesColumn(Sluice.Schemas.Field field, DataField file) : ReadColumn(field, file)
    {
        private byte[]?[]? _values;

        public override void Load(ParquetRowGroupReader group, int count)
        {
            var values = Buffer(ref _values, count);
            group.ReadAsync(File, values.AsMemory(0, count)!).GetAwaiter().GetResult();
        }

        public override bool TrySet(int row, Row target, int index)
        {
            var value = _values![row];
            if (value is null && NotNull)
            {
                return false;
            }
            target.SetBytes(index, value);
            _values[row] = null;
            return true;
        }
    }
}
