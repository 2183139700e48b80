using Sluice.Connectors.DuckDb.Sinks;
using Sluice.Connectors.DuckDb.Tests.Sinks;
using Sluice.Sinks;
using Sluice.Tests.Shared.Contracts;
using static Sluice.Connectors.DuckDb.Tests.Sinks.SinkTestSupport;

namespace Sluice.Connectors.DuckDb.Tests.Contracts;

/// <summary>The two-phase sink contract for <see cref="DuckDbWarehouseSink{T}"/>: committed rows are those a fresh DuckDB connection sees.</summary>
public sealed class DuckDbWarehouseSinkContractTests : TwoPhaseSinkContractTests<PageView>
{
    private readonly TempDirectory _dir = new();

    private string Database => _dir.File("warehouse.duckdb");

    protected override ITwoPhaseSink<PageView> CreateSink() => new DuckDbWarehouseSink<PageView>(Database, "views");

    protected override PageView ToRecord(long value) => PageView.Of(value);

    protected override IReadOnlyList<long> ReadCommitted() =>
        Scalar(Database, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'views'") == 0
            ? []
            : Longs(Query(Database, "SELECT event_id FROM views"));

    protected override int StagedLeftovers()
    {
        var staging = Database + ".sluice-staging";
        return Directory.Exists(staging) ? Directory.GetFiles(staging, "*", SearchOption.AllDirectories).Length : 0;
    }

    public override void Dispose()
    {
        DuckDbWarehouse.Release(Database);
        _dir.Dispose();
        base.Dispose();
    }
}
