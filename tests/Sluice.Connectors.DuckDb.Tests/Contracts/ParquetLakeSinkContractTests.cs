using DuckDB.NET.Data;
using Sluice.Connectors.DuckDb.Sinks;
using Sluice.Connectors.DuckDb.Tests.Sinks;
using Sluice.Sinks;
using Sluice.Tests.Shared.Contracts;
using static Sluice.Connectors.DuckDb.Tests.Sinks.SinkTestSupport;

namespace Sluice.Connectors.DuckDb.Tests.Contracts;

/// <summary>The two-phase sink contract for <see cref="ParquetLakeSink{T}"/>: committed rows are those DuckDB reads from the lake's part files.</summary>
public sealed class ParquetLakeSinkContractTests : TwoPhaseSinkContractTests<PageView>
{
    private readonly TempDirectory _dir = new();
    private readonly DuckDBConnection _conn = DuckDbQueries.Open(":memory:");

    private string Lake => _dir.File("lake");

    private string Table => Path.Combine(Lake, "views");

    protected override ITwoPhaseSink<PageView> CreateSink() => new ParquetLakeSink<PageView>(Lake, "views", v => v.EventTimeMs);

    protected override PageView ToRecord(long value) => PageView.Of(value);

    protected override IReadOnlyList<long> ReadCommitted() =>
        ParquetLakeSink<PageView>.CommittedFiles(Table).Count == 0
            ? []
            : Longs(_conn.Query($"SELECT event_id FROM read_parquet('{Table}/**/*.parquet', hive_partitioning = true)"));

    protected override int StagedLeftovers()
    {
        var staging = Path.Combine(Table, ParquetLakeSink<PageView>.StagingDirectoryName);
        return Directory.Exists(staging) ? Directory.GetFiles(staging).Length : 0;
    }

    public override void Dispose()
    {
        _conn.Dispose();
        _dir.Dispose();
        base.Dispose();
    }
}
