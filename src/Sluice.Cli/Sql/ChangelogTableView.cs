using System.Globalization;
using Sluice.Schemas;
using Sluice.Sql.Session;
using Spectre.Console;

namespace Sluice.Cli.Sql;

/// <summary>
/// The view model of a SELECT's live result, as Flink's SQL client shows it. In <see cref="SqlResultMode.Table"/>
/// mode it is the materialized result: <c>+I</c> and <c>+U</c> rows are added, <c>-U</c> and <c>-D</c> rows remove
/// one equal row (the most recently added). In the changelog modes it lists every row with its kind, the newest last.
/// At most <c>maxRows</c> rows are kept: the oldest go first. Not thread-safe: one reader applies rows and renders.
/// </summary>
internal sealed class ChangelogTableView
{
    private readonly List<string[]> _rows = [];
    private readonly int _maxRows;
    private readonly bool _changelog;

    /// <summary>A view of rows of <paramref name="schema"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxRows"/> is less than 1.</exception>
    public ChangelogTableView(Schema schema, SqlResultMode mode, int maxRows = 1000)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        _maxRows = maxRows;
        _changelog = mode != SqlResultMode.Table;
        var columns = new List<string>(schema.Count + 1);
        if (_changelog)
        {
            columns.Add("op");
        }

        for (var i = 0; i < schema.Count; i++)
        {
            columns.Add(schema[i].Name);
        }

        Columns = columns;
    }

    /// <summary>The column headers (in the changelog modes, <c>op</c> first).</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The rows shown, as text, one cell per column.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows => _rows;

    /// <summary>How many changelog rows were applied.</summary>
    public long Changes { get; private set; }

    /// <summary>How many <c>-U</c>/<c>-D</c> rows found no equal row to remove (table mode; a sign the result was cut by <c>maxRows</c>).</summary>
    public long UnmatchedRetractions { get; private set; }

    /// <summary>Applies one changelog row.</summary>
    public void Apply(Row row)
    {
        ArgumentNullException.ThrowIfNull(row);
        Changes++;
        if (_changelog)
        {
            Add(Cells(row, Kind(row.Kind)));
            return;
        }

        var cells = Cells(row, null);
        if (row.Kind is RowKind.Insert or RowKind.UpdateAfter)
        {
            Add(cells);
            return;
        }

        for (var i = _rows.Count - 1; i >= 0; i--)
        {
            if (_rows[i].AsSpan().SequenceEqual(cells))
            {
                _rows.RemoveAt(i);
                return;
            }
        }

        UnmatchedRetractions++;
    }

    /// <summary>The view as a Spectre table, with the number of rows and changes in the caption.</summary>
    public Table Render()
    {
        var table = new Table();
        foreach (var column in Columns)
        {
            table.AddColumn(Markup.Escape(column));
        }

        foreach (var row in _rows)
        {
            table.AddRow([.. row.Select(static c => Markup.Escape(c))]);
        }

        return table.Caption($"{_rows.Count} rows, {Changes} changes");
    }

    /// <summary>A cell's text: NULL as <c>NULL</c>, timestamps as <c>yyyy-MM-dd HH:mm:ss.fff</c>, numbers invariant.</summary>
    internal static string Format(object? value) => value switch
    {
        null => "NULL",
        bool b => b ? "TRUE" : "FALSE",
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.') + "Z",
        byte[] bytes => "x'" + Convert.ToHexString(bytes) + "'",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    internal static string Kind(RowKind kind) => kind switch
    {
        RowKind.Insert => "+I",
        RowKind.UpdateBefore => "-U",
        RowKind.UpdateAfter => "+U",
        _ => "-D",
    };

    private static string[] Cells(Row row, string? kind)
    {
        var offset = kind is null ? 0 : 1;
        var cells = new string[row.FieldCount + offset];
        if (kind is not null)
        {
            cells[0] = kind;
        }

        for (var i = 0; i < row.FieldCount; i++)
        {
            cells[i + offset] = Format(row.GetValue(i));
        }

        return cells;
    }

    private void Add(string[] cells)
    {
        if (_rows.Count == _maxRows)
        {
            _rows.RemoveAt(0);
        }

        _rows.Add(cells);
    }
}
