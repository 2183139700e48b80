using Sluice.Formats.Parquet;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Filesystem;

/// <summary>
/// The 'filesystem' sink's Parquet part files: one <see cref="ParquetRowWriter"/> per part file over the rows of
/// <see cref="Schema"/> (the table without its partition columns). Thread-safe and immutable; the writers it makes
/// are not.
/// </summary>
internal sealed class ParquetPartWriters : IBulkPartWriterFactory<Row>
{
    private readonly ParquetWriteOptions _options;

    /// <summary>Creates the factory; checks that every column maps to Parquet.</summary>
    /// <exception cref="Sluice.Configuration.ConfigOptionsException">A column is nested (ROW, ARRAY, MAP), naming it.</exception>
    public ParquetPartWriters(Schema schema, ParquetWriteOptions options)
    {
        _ = ParquetSchemas.Columns(schema);
        Schema = schema;
        _options = options;
    }

    /// <summary>The schema of the rows in the files.</summary>
    public Schema Schema { get; }

    /// <inheritdoc />
    public IBulkPartWriter<Row> Create(Stream output) => new Writer(new ParquetRowWriter(Schema, output, _options));

    private sealed class Writer(ParquetRowWriter writer) : IBulkPartWriter<Row>
    {
        public long EstimatedSize => writer.EstimatedSize;

        public void Write(Row value) => writer.Write(value);

        public void Finish() => writer.Finish();

        public void Dispose() => writer.Dispose();
    }
}
