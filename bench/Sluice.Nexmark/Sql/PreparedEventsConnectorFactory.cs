using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Nexmark;
using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Nexmark.Sql;

/// <summary>
/// The bench's 'nexmark' connector: the <c>datagen</c> table of ddl_gen.sql (<see cref="NexmarkSchema.Physical"/>) read
/// from rows converted up front from the events every engine reads, instead of generated. It accepts the real
/// connector's options (so the DDL runs unchanged) and ignores them: the rows decide the events. Parallel like
/// <c>EventArraySource</c>: subtask <c>s</c> of <c>p</c> emits blocks <c>s, s+p, …</c> of <see cref="BlockSize"/>
/// rows, each with its event time as timestamp. The rows are shared by every run and never modified (the SQL scan
/// copies a row before changing it). Thread-safe: readers only read.
/// </summary>
internal sealed class PreparedEventsConnectorFactory(Row[] rows, long[] timestamps) : IConnectorFactory
{
    /// <summary>Rows per block handed to one subtask.</summary>
    public const int BlockSize = 1024;

    private static readonly NexmarkConnectorFactory s_real = new();

    /// <summary>The row of <paramref name="e"/> in <see cref="NexmarkSchema.Physical"/>, the columns ddl_gen.sql stores.</summary>
    public static Row ToRow(in Nexmark.Model.Event e) => NexmarkSchema.ToPhysicalRow(e);

    /// <inheritdoc />
    public string Identifier => s_real.Identifier;

    /// <inheritdoc />
    public string Description => "Reads pre-generated Nexmark events as the datagen table (bench only).";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Source;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_real.Options;

    /// <inheritdoc />
    /// <remarks>As the real connector; the rows are always of <see cref="NexmarkSchema.Physical"/>, which ddl_gen.sql declares.</remarks>
    public Schema ResolveSchema(Schema? declared, ConfigOptions options) => s_real.ResolveSchema(declared, options);

    /// <inheritdoc />
    public ISource<Row> CreateSource(ConnectorContext context) => new Source(rows, timestamps);

    private sealed class Source(Row[] rows, long[] timestamps) : ISource<Row>
    {
        public bool IsBounded => true;

        public int MaxParallelism => 0;

        public ISourceReader<Row> CreateReader(SourceReaderContext context) => new Reader(rows, timestamps, context);
    }

    private sealed class Reader(Row[] rows, long[] timestamps, SourceReaderContext context) : ISourceReader<Row>
    {
        private long _block = context.SubtaskIndex;

        public int SplitCount => 1;

        public SourceStatus PollNext(ISourceOutput<Row> output)
        {
            var start = _block * BlockSize;
            if (start >= rows.LongLength)
            {
                return SourceStatus.Finished;
            }
            var length = (int)(Math.Min(rows.LongLength, start + BlockSize) - start);
            output.CollectBatch(0, rows.AsSpan((int)start, length), timestamps.AsSpan((int)start, length));
            _block += context.Parallelism;
            return _block * BlockSize >= rows.LongLength ? SourceStatus.Finished : SourceStatus.MoreAvailable;
        }

        public void Dispose() { }
    }
}
