using System.Data.Common;
using System.Globalization;
using System.Text;
using Sluice.Schemas;

namespace Sluice.Bench.Cli.Cdc;

/// <summary>
/// One captured table of the CDC kill harness: its DDL in the source database, its schema (the same columns, in
/// order), its primary key, and how its rows are read for the comparison.
/// </summary>
/// <param name="Name">The table's name, the same in the source database, the replica database and the DuckDB file.</param>
/// <param name="Columns">The column definitions of <c>CREATE TABLE</c> (without the key clause).</param>
/// <param name="Schema">The schema the CDC source reads and the sinks write: the columns, in order.</param>
/// <param name="Key">The primary key's columns, in key order.</param>
internal sealed record CdcChaosTable(string Name, string Columns, Schema Schema, IReadOnlyList<string> Key)
{
    /// <summary>The DDL of the source table: REPLICA IDENTITY FULL, so updates and deletes carry their before image.</summary>
    public string CreateSql => $"CREATE TABLE {Name} ({Columns}, PRIMARY KEY ({string.Join(", ", Key)})); ALTER TABLE {Name} REPLICA IDENTITY FULL";

    /// <summary>A query of every row in key order, all columns (the order of <see cref="Schema"/>).</summary>
    public string SelectAllSql => $"SELECT {string.Join(", ", Schema.Select(static f => f.Name))} FROM {Name} ORDER BY {string.Join(", ", Key)}";

    /// <summary>The replication slot of this table's CDC source.</summary>
    public string SlotName => "chaos_" + Name;
}

/// <summary>The three tables of the CDC kill harness and the canonical text of a row, shared by the driver and the child.</summary>
internal static class CdcChaosTables
{
    /// <summary>Customers: updated (tier, active) and deleted at random.</summary>
    public static readonly CdcChaosTable Customers = new("customers",
        "id bigint NOT NULL, name text NOT NULL, tier integer, active boolean",
        Schema.Parse("id BIGINT NOT NULL, name STRING NOT NULL, tier INT, active BOOLEAN"), ["id"]);

    /// <summary>Orders: amounts are multiples of 0.25 (exact in binary), timestamps in microseconds.</summary>
    public static readonly CdcChaosTable Orders = new("orders",
        "id bigint NOT NULL, customer_id bigint, amount double precision, status text, updated_at timestamp(6)",
        Schema.Parse("id BIGINT NOT NULL, customer_id BIGINT, amount DOUBLE, status STRING, updated_at TIMESTAMP(6)"), ["id"]);

    /// <summary>Order lines: a composite key (order id, line number).</summary>
    public static readonly CdcChaosTable OrderLines = new("order_lines",
        "order_id bigint NOT NULL, line integer NOT NULL, sku text, quantity integer",
        Schema.Parse("order_id BIGINT NOT NULL, line INT NOT NULL, sku STRING, quantity INT"), ["order_id", "line"]);

    /// <summary>All three, in a fixed order.</summary>
    public static IReadOnlyList<CdcChaosTable> All { get; } = [Customers, Orders, OrderLines];

    /// <summary>
    /// Reads every row of <paramref name="table"/> through <paramref name="connection"/> (PostgreSQL or DuckDB), in key
    /// order, as canonical text (<see cref="RowText"/>), keyed by the key columns' text.
    /// </summary>
    public static SortedDictionary<string, string> ReadRows(DbConnection connection, CdcChaosTable table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = table.SelectAllSql;
        using var reader = command.ExecuteReader();
        var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var values = new object?[reader.FieldCount];
        while (reader.Read())
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            var key = RowText(values.AsSpan(0, table.Key.Count));
            rows.Add(key, RowText(values));
        }
        return rows;
    }

    /// <summary>
    /// The canonical text of a row's values: invariant culture, doubles round-trip, timestamps ISO 8601 to the
    /// microsecond, integers of any width alike, <c>null</c> for NULL; so a PostgreSQL row and a DuckDB row compare equal
    /// exactly when their values do.
    /// </summary>
    public static string RowText(ReadOnlySpan<object?> values)
    {
        var text = new StringBuilder();
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                text.Append('|');
            }
            text.Append(values[i] switch
            {
                null => "null",
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                float f => f.ToString("R", CultureInfo.InvariantCulture),
                DateTime t => t.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
                bool b => b ? "true" : "false",
                var v => Convert.ToString(v, CultureInfo.InvariantCulture),
            });
        }
        return text.ToString();
    }
}
