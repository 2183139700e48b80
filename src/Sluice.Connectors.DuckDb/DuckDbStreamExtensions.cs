using Sluice.Connectors.DuckDb.Sinks;
using Sluice.Schemas;

namespace Sluice.Connectors.DuckDb;

/// <summary>Adds the DuckDB warehouse sink and the Parquet lake sink to a <see cref="DataStream{T}"/>.</summary>
public static class DuckDbStreamExtensions
{
    /// <summary>
    /// Writes the stream's records as rows of table <paramref name="table"/> in the DuckDB database file at
    /// <paramref name="databasePath"/> (created if missing), exactly once with checkpoints; see
    /// <see cref="DuckDbWarehouseSink{T}"/>. Columns come from <typeparamref name="T"/>'s public properties
    /// (snake_case names); the table is created, or missing columns are added, when the job starts. Without
    /// checkpoints each subtask commits its rows at the end of input.
    /// </summary>
    /// <exception cref="ArgumentException">An argument is empty or invalid, <typeparamref name="T"/> has no public
    /// properties, or <see cref="WarehouseWriteMode.Upsert"/> lacks a primary key / names an unknown column.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in the stream type (DataStream<T> or DataStream<Row> with a Schema), so no call binds ambiguously; the options come last and are optional.")]
    public static DataStreamSink<T> ToDuckDb<T>(this DataStream<T> stream, string databasePath, string table, DuckDbSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var sink = new DuckDbWarehouseSink<T>(databasePath, table, options);
        return stream.SinkTo(sink, $"DuckDb({table})");
    }

    /// <summary>
    /// Writes the stream's rows, all of <paramref name="schema"/>, as rows of table <paramref name="table"/> in the DuckDB
    /// database file at <paramref name="databasePath"/>, exactly once with checkpoints; see
    /// <see cref="DuckDbWarehouseSink.ForRows"/> (columns named as the fields).
    /// </summary>
    /// <exception cref="ArgumentException">An argument is empty or invalid, or <see cref="WarehouseWriteMode.Upsert"/>
    /// lacks a primary key / names an unknown column.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in the stream type (DataStream<T> or DataStream<Row> with a Schema), so no call binds ambiguously; the options come last and are optional.")]
    public static DataStreamSink<Row> ToDuckDb(this DataStream<Row> stream, string databasePath, string table, Schema schema, DuckDbSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var sink = DuckDbWarehouseSink.ForRows(databasePath, table, schema, options);
        return stream.SinkTo(sink, $"DuckDb({table})");
    }

    /// <summary>
    /// Writes the stream's records as Parquet files under
    /// <c><paramref name="lakeDirectory"/>/<paramref name="table"/>/event_date=YYYY-MM-DD/hour=H/part-&lt;subtask&gt;-&lt;seq&gt;-&lt;n&gt;-&lt;writer&gt;.parquet</c>,
    /// partitioned by <paramref name="eventTimeMs"/> (milliseconds since the Unix epoch, UTC), exactly once with
    /// checkpoints; see <see cref="ParquetLakeSink{T}"/>. Read it with
    /// <c>read_parquet('&lt;lake&gt;/&lt;table&gt;/**/*.parquet', hive_partitioning = true, union_by_name = true)</c> (union by name: files written before a schema change read null in its new columns).
    /// </summary>
    /// <exception cref="ArgumentException">An argument is empty or invalid, <typeparamref name="T"/> has no public
    /// properties, or has a property mapped to a partition column name (<c>event_date</c>, <c>hour</c>).</exception>
    public static DataStreamSink<T> ToParquetLake<T>(this DataStream<T> stream, string lakeDirectory, string table, Func<T, long> eventTimeMs, ParquetLakeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var sink = new ParquetLakeSink<T>(lakeDirectory, table, eventTimeMs, options);
        return stream.SinkTo(sink, $"ParquetLake({table})");
    }
}
