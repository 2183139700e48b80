using Sluice.Connectors.Postgres.Cdc;
using Sluice.Connectors.Postgres.Sinks;
using Sluice.Schemas;

namespace Sluice.Connectors.Postgres.Tests;

/// <summary>The PostgreSQL sink and CDC source name their table for lineage as <c>postgres://host:port</c> / <c>db.schema.table</c>, never with the user or password.</summary>
public sealed class PostgresLineageTests
{
    private const string ConnectionString = "Host=DB.Example;Port=5433;Username=sluice;Password=s3cret-value;Database=shop";

    private static readonly Schema s_schema = new(new Field("id", DataType.BigInt), new Field("note", DataType.Varchar));

    [Fact]
    public void GetLineageDatasets_Sink_NamesDatabaseSchemaAndTableWithColumnsButNoSecrets()
    {
        var sink = PostgresSink.ForRows(new PostgresSinkOptions { ConnectionString = ConnectionString, Table = "sales.orders" }, s_schema);

        var dataset = sink.GetLineageDatasets().ShouldHaveSingleItem();

        (dataset.Namespace, dataset.Name).ShouldBe(("postgres://db.example:5433", "shop.sales.orders"));
        dataset.Facets.Schema!.Fields.ShouldBe([new Lineage.SchemaField("id", "bigint"), new Lineage.SchemaField("note", "text")]);
        var json = System.Text.Json.JsonSerializer.Serialize(dataset);
        json.ShouldNotContain("s3cret");
        (dataset.Namespace + dataset.Name).ShouldNotContain("sluice");
    }

    [Fact]
    public void GetLineageDatasets_CdcSourceOfAnUnqualifiedTable_IsInSchemaPublic()
    {
        var source = new PostgresCdcSource(new PostgresCdcOptions { ConnectionString = "Host=pg;Username=app;Password=s3cret-value", Table = "orders", SlotName = "orders_slot" }, s_schema);

        var dataset = source.GetLineageDatasets().ShouldHaveSingleItem();

        // No database given: named "postgres", never after the user (PostgreSQL's own default).
        (dataset.Namespace, dataset.Name).ShouldBe(("postgres://pg:5432", "postgres.public.orders"));
        dataset.ToString().ShouldNotContain("s3cret");
    }

    [Fact]
    public void Dataset_ColumnWithoutAPostgresType_KeepsTheDatasetWithoutASchemaFacet()
    {
        var schema = new Schema(new Field("id", DataType.BigInt), new Field("tags", DataType.Array(DataType.Varchar)));

        var dataset = PostgresConnections.Dataset(ConnectionString, "orders", schema);

        (dataset.Namespace, dataset.Name).ShouldBe(("postgres://db.example:5433", "shop.public.orders"));
        dataset.Facets.Schema.ShouldBeNull();
    }
}
