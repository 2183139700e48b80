using System.Diagnostics.CodeAnalysis;
using DuckDB.NET.Data;
using Sluice.Schemas;

namespace Sluice.Connectors.DuckDb.Sinks;

/// <summary>
/// A writer's buffer: a private in-memory DuckDB database with table <c>stage</c> holding the schema's columns plus
/// <c>_sluice_row</c> (the write order within the batch), optionally <c>_sluice_kind</c> (the <see cref="RowKind"/>
/// byte of each row, for a sink that applies deletes) and optional extra BIGINT columns. Rows go in through an
/// appender; the owner turns the batch into files with SQL on <see cref="Connection"/>, then calls
/// <see cref="Reset"/>. A batch (one checkpoint interval of one subtask) is held in memory in DuckDB's columnar form.
/// Single-threaded (the writer's thread).
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
internal sealed class StagingTable<T> : IDisposable
{
    /// <summary>The staging table's name.</summary>
    public const string Name = "stage";

    /// <summary>The write-order column.</summary>
    public const string RowColumn = "_sluice_row";

    /// <summary>The row-kind column (a <see cref="RowKind"/> as BIGINT), present when the table stages row kinds.</summary>
    public const string KindColumn = "_sluice_kind";

    private readonly string _extraColumns;
    private readonly string _extraColumnNames;
    private readonly bool _stagesRowKind;
    private readonly string _table;
    private readonly int[] _keyIndexes;
    private TableSchema<T> _schema;
    private Row _scratch;
    private DuckDBAppender? _appender;
    private long _nextRow;

    /// <summary>Opens the in-memory database and creates the table.</summary>
    /// <param name="schema">The record schema.</param>
    /// <param name="extraColumns">Extra BIGINT columns after <see cref="RowColumn"/>, appended by the caller.</param>
    /// <param name="table">The table the rows are for, named by errors.</param>
    public StagingTable(TableSchema<T> schema, string table, params string[] extraColumns)
        : this(schema, table, [], stagesRowKind: false, extraColumns)
    {
    }

    /// <summary>Opens the in-memory database and creates the table.</summary>
    /// <param name="schema">The record schema.</param>
    /// <param name="stagesRowKind">
    /// Adds <see cref="KindColumn"/> after <see cref="RowColumn"/> and accepts <see cref="RowKind.Delete"/> rows (the
    /// caller applies them); without it a retraction fails <see cref="BeginRow"/>.
    /// </param>
    /// <param name="extraColumns">Extra BIGINT columns after those, appended by the caller.</param>
    /// <param name="table">The table the rows are for, named by errors.</param>
    /// <param name="keyIndexes">The fields of the table's key, which <see cref="BeginRow"/> refuses to stage NULL.</param>
    public StagingTable(TableSchema<T> schema, string table, int[] keyIndexes, bool stagesRowKind, params string[] extraColumns)
    {
        _schema = schema;
        _table = table;
        _keyIndexes = keyIndexes;
        _scratch = new Row(schema.Schema);
        _stagesRowKind = stagesRowKind;
        _extraColumns = (stagesRowKind ? $", {KindColumn} BIGINT" : "") + string.Concat(extraColumns.Select(c => $", {TableSchema.Quote(c)} BIGINT"));
        _extraColumnNames = (stagesRowKind ? $", {KindColumn}" : "") + string.Concat(extraColumns.Select(c => $", {TableSchema.Quote(c)}"));
        // Writers run in parallel with each other: one DuckDB thread each keeps them from oversubscribing the CPUs.
        Connection = DuckDbConnections.Open(DuckDbConnections.InMemory, new Dictionary<string, string> { ["threads"] = "1" });
        Create();
    }

    /// <summary>The connection owning the table; use it for SQL over the batch.</summary>
    public DuckDBConnection Connection { get; }

    /// <summary>The layout of the rows staged: the constructor's, or the last <see cref="Widen"/>'s.</summary>
    public TableSchema<T> Schema => _schema;

    /// <summary>Rows appended since the last <see cref="Reset"/>.</summary>
    public long Rows => _nextRow;

    /// <summary>
    /// Starts a row: appends <paramref name="value"/>'s columns and the row number; the caller appends the extra
    /// columns, if any, and calls <see cref="IDuckDBAppenderRow.EndRow"/>. A record goes through one reused row, so
    /// nothing is allocated per value beyond what DuckDB.NET does.
    /// </summary>
    /// <exception cref="ArgumentException">A row of another schema, a null in a NOT NULL field, or a NULL in a key
    /// field (the commit would fail on it for ever; the message names the table, the column and the row); nothing is appended.</exception>
    /// <exception cref="OverflowException">A decimal does not fit its column; nothing is appended.</exception>
    /// <exception cref="NotSupportedException">A retraction the table does not stage (see the constructor); nothing is appended.</exception>
    public IDuckDBAppenderRow BeginRow(T value)
    {
        // Convert before touching the appender: a value that fails leaves no half-written row behind.
        var converted = _schema.ToRow(value, _scratch);
        TableLayout.EnsureAppendable(converted, _stagesRowKind, _table);
        foreach (var key in _keyIndexes)
        {
            if (converted.IsNull(key))
            {
                ThrowNullKey(converted, key);
            }
        }
        _appender ??= Connection.CreateAppender(Name);
        var row = _appender.CreateRow();
        _schema.Layout.AppendColumns(row, converted);
        row.AppendValue(_nextRow++);
        return _stagesRowKind ? row.AppendValue((long)converted.Kind) : row;
    }

    [DoesNotReturn]
    private void ThrowNullKey(Row row, int key) =>
        throw new ArgumentException($"The DuckDB sink of table '{_table}' received the row {row} with NULL in its key column '{row.Schema[key].Name}', which the table cannot store; give every row a key, or filter such rows out before the sink.");

    /// <summary>Flushes appended rows into the table so SQL sees them.</summary>
    /// <exception cref="DuckDBException">DuckDB rejected the rows (they are lost).</exception>
    public void Seal()
    {
        var appender = _appender;
        _appender = null;
        appender?.Dispose();
    }

    /// <summary>Empties the table (dropping it frees its memory at once).</summary>
    public void Reset()
    {
        Seal();
        Connection.Execute($"DROP TABLE {Name}");
        Create();
        _nextRow = 0;
    }

    /// <summary>
    /// Re-lays the table in <paramref name="schema"/>, a widening of <see cref="Schema"/> (its columns, then new ones):
    /// rows staged so far are kept, with NULL in the new columns, and keep their write order. Costs a copy of the batch;
    /// happens once per schema change.
    /// </summary>
    public void Widen(TableSchema<T> schema)
    {
        Seal();
        var previous = _schema.ColumnList;
        _schema = schema;
        _scratch = new Row(schema.Schema);
        Connection.Execute($"ALTER TABLE {Name} RENAME TO {Name}_narrow");
        Create();
        Connection.Execute($"INSERT INTO {Name} ({previous}, {RowColumn}{_extraColumnNames}) SELECT {previous}, {RowColumn}{_extraColumnNames} FROM {Name}_narrow");
        Connection.Execute($"DROP TABLE {Name}_narrow");
    }

    /// <summary>Frees the database; buffered rows are lost.</summary>
    public void Dispose()
    {
        try
        {
            _appender?.Dispose();
        }
        catch (DuckDBException)
        {
            // Buffered rows are abandoned anyway: the staged work of this writer is redone after restore.
        }
        Connection.Dispose();
    }

    private void Create() =>
        Connection.Execute($"CREATE TABLE {Name} ({_schema.ColumnDefinitions}, {RowColumn} BIGINT{_extraColumns})");
}
