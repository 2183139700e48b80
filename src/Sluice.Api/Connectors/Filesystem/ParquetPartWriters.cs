using Sluice.Formats.Parquet;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Filesystem;

/// <summary>
/// The 'filesystem' sink's Parquet part files: one <see cref="ParquetRowWriter"/> per part file over the rows of
/// <see cref="Schema"/> (the table without its partition columns). With <see cref="SchemaEvolutionMode.AddColumns"/>,
/// each sink writer follows rows that gain nullable columns (<see cref="RowSchemaEvolution"/>, the rules of the table
/// sinks): its file so far is finished with its schema, and its next files carry the wider one; rows of the older
/// schema are written null in the new columns. Thread-safe and immutable; the writers it makes are not.
/// </summary>
internal sealed class ParquetPartWriters : IBulkPartWriterFactory<Row>
{
    private readonly ParquetWriteOptions _options;
    private readonly SchemaEvolutionMode _evolution;
    private readonly string _table;

    /// <summary>Creates the factory; checks that every column maps to Parquet.</summary>
    /// <param name="schema">The rows' schema in the files.</param>
    /// <param name="options">Compression and row-group size.</param>
    /// <param name="evolution">Whether rows of another schema widen the files (unpartitioned tables only: a partitioned table's rows are split by their schema's columns).</param>
    /// <param name="table">The table's path, as errors name it.</param>
    /// <exception cref="Sluice.Configuration.ConfigOptionsException">A column is nested (ROW, ARRAY, MAP), naming it.</exception>
    public ParquetPartWriters(Schema schema, ParquetWriteOptions options, SchemaEvolutionMode evolution = SchemaEvolutionMode.None, string table = "")
    {
        _ = ParquetSchemas.Columns(schema);
        Schema = schema;
        _options = options;
        _evolution = evolution;
        _table = table;
    }

    /// <summary>The schema of the rows in the files.</summary>
    public Schema Schema { get; }

    /// <inheritdoc />
    public IBulkPartWriter<Row> Create(Stream output) => new Writer(new ParquetRowWriter(Schema, output, _options), Schema, null);

    /// <inheritdoc />
    public IBulkPartWriterFactory<Row> ForWriter(SinkContext context) => _evolution == SchemaEvolutionMode.AddColumns
        ? new EvolvingFiles(this, new RowSchemaEvolution(Schema, IncompatibleSchemaAction.Fail, $"The filesystem sink of '{_table}'", _table, context.OperatorName))
        : this;

    /// <summary>One sink writer's files: each is created with the layout the writer's rows have reached.</summary>
    private sealed class EvolvingFiles(ParquetPartWriters files, RowSchemaEvolution evolution) : IBulkPartWriterFactory<Row>
    {
        public IBulkPartWriter<Row> Create(Stream output)
        {
            var layout = evolution.Current;
            return new Writer(new ParquetRowWriter(layout, output, files._options), layout, evolution);
        }
    }

    private sealed class Writer(ParquetRowWriter writer, Schema layout, RowSchemaEvolution? evolution) : IBulkPartWriter<Row>
    {
        public long EstimatedSize => writer.EstimatedSize;

        public bool Accepts(Row value)
        {
            if (evolution is null || ReferenceEquals(value.Schema, layout))
            {
                return true;
            }
            // Admits the row (widening the writer's layout, or failing naming the field); the file fits when the layout is still its own.
            _ = evolution.Admit(value, 0, out _);
            return ReferenceEquals(evolution.Current, layout);
        }

        public void Write(Row value)
        {
            if (evolution is not null && !ReferenceEquals(value.Schema, layout))
            {
                value = evolution.Admit(value, 0, out _)!; // projected onto the layout (Accepts came first); never refused: Fail throws
            }
            writer.Write(value);
        }

        public void Finish() => writer.Finish();

        public void Dispose() => writer.Dispose();
    }
}
