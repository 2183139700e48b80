using Sluice.Lineage;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>The Delta sinks name their table for lineage as a <c>file</c> dataset (the table's absolute path) with the rows' columns.</summary>
public sealed class DeltaLineageTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private static readonly Schema s_schema = new(new Field("id", DataType.BigInt), new Field("name", DataType.Varchar));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void GetLineageDatasets_AppendAndUpsertSinks_NameTheTablesPathWithItsColumns()
    {
        var append = new DeltaSink(_dir.File("orders"), s_schema);
        var upsert = new DeltaUpsertSink(_dir.File("customers"), s_schema, ["id"]);

        var appended = append.GetLineageDatasets().ShouldHaveSingleItem();
        var upserted = upsert.GetLineageDatasets().ShouldHaveSingleItem();

        (appended.Namespace, appended.Name).ShouldBe(("file", _dir.Path + "/orders"));
        (upserted.Namespace, upserted.Name).ShouldBe(("file", _dir.Path + "/customers"));
        appended.Facets.Schema!.Fields.ShouldBe([new SchemaField("id", "BIGINT"), new SchemaField("name", "VARCHAR")]);
    }
}
