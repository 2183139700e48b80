using Sluice.Connectors.DuckDb.Sinks;
using Sluice.Lineage;
using Sluice.Tests.Shared;

namespace Sluice.Connectors.DuckDb.Tests.Sinks;

/// <summary>The DuckDB sinks name their table for lineage: <c>duckdb://{file}</c> / <c>main.{table}</c>, the lake's table directory as a file; both with their columns.</summary>
public sealed class DuckDbLineageTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly SchemaField[] s_pageViewColumns =
        [new("event_id", "BIGINT"), new("user_id", "BIGINT"), new("page", "VARCHAR"), new("event_time_ms", "BIGINT")];

    [Fact]
    public void GetLineageDatasets_WarehouseSink_NamesTheDatabaseFileAndTableWithItsColumns()
    {
        var sink = new DuckDbWarehouseSink<PageView>(_dir.File("w.duckdb"), "views");

        var dataset = sink.GetLineageDatasets().ShouldHaveSingleItem();

        (dataset.Namespace, dataset.Name).ShouldBe(("duckdb://" + _dir.Path + "/w.duckdb", "main.views"));
        dataset.Facets.Schema!.Fields.ShouldBe(s_pageViewColumns);
    }

    [Fact]
    public void GetLineageDatasets_ParquetLakeSink_NamesTheTableDirectoryAsAFile()
    {
        var sink = new ParquetLakeSink<PageView>(_dir.File("lake"), "views", v => v.EventTimeMs);

        var dataset = sink.GetLineageDatasets().ShouldHaveSingleItem();

        (dataset.Namespace, dataset.Name).ShouldBe(("file", _dir.Path + "/lake/views"));
        dataset.Facets.Schema!.Fields.ShouldBe(s_pageViewColumns);
    }
}
