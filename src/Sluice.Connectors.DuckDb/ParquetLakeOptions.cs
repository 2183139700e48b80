using Sluice.Schemas;

namespace Sluice.Connectors.DuckDb;

/// <summary>Options of the Parquet lake sink (<see cref="DuckDbStreamExtensions.ToParquetLake{T}"/>).</summary>
public sealed record ParquetLakeOptions
{
    /// <summary>
    /// True (default): files go to <c>event_date=YYYY-MM-DD/hour=H/</c> (H = 0..23, not zero-padded, so hive readers
    /// type it as an integer — DuckDB's own <c>PARTITION_BY</c> naming); false: to <c>event_date=YYYY-MM-DD/</c>.
    /// Both are computed from the record's event time in UTC.
    /// </summary>
    public bool PartitionByHour { get; init; } = true;

    /// <summary>
    /// The most rows one Parquet file holds (default 1,000,000): a subtask's rows of one partition and one checkpoint
    /// are split into files of at most this many rows. Must be positive.
    /// </summary>
    public long MaxRowsPerFile { get; init; } = 1_000_000;

    /// <summary>
    /// What a sink of <see cref="Row"/>s does when rows arrive with a schema other than its table's (a registry source
    /// following a subject emits wider rows from some record on). Default <see cref="SchemaEvolutionMode.AddColumns"/>:
    /// new nullable columns are added to the table (files written from then on carry them; a writer rolls to a new file at the change, so no file mixes schemas, and readers with <c>union_by_name = true</c> see null in older files), rows lacking a nullable column get null, INT and FLOAT values
    /// are widened into BIGINT and DOUBLE columns; see <see cref="SchemaEvolutionPlan"/> for the rules.
    /// <see cref="SchemaEvolutionMode.None"/> refuses any other schema (the write fails). Record sinks have one fixed
    /// schema and ignore it.
    /// </summary>
    public SchemaEvolutionMode SchemaEvolution { get; init; } = SchemaEvolutionMode.AddColumns;

    /// <summary>
    /// With <see cref="SchemaEvolutionMode.AddColumns"/>, what happens to a row whose schema is incompatible (a changed
    /// type, a dropped NOT NULL column, a new NOT NULL column): <see cref="IncompatibleSchemaAction.Fail"/> (default)
    /// fails the job with an error naming the table, the field, the change and the schema's origin (registry subject
    /// and version), writing nothing of the row; <see cref="IncompatibleSchemaAction.DeadLetter"/> writes it, with that
    /// reason, to Parquet files under <c>&lt;lake&gt;/&lt;table&gt;.dlq/</c> (columns <c>source, position, reason, payload, field_path</c>), published with the checkpoint's files, exactly once with its checkpoint.
    /// </summary>
    public IncompatibleSchemaAction OnIncompatibleSchema { get; init; } = IncompatibleSchemaAction.Fail;
}
