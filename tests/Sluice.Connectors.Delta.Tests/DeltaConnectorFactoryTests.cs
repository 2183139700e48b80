using Sluice.Configuration;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>The 'delta' connector reached by name, as SQL DDL reaches it.</summary>
public sealed class DeltaConnectorFactoryTests
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, region STRING");

    private static ConnectorRegistry Registry() => ConnectorRegistry.FromLoadedAssemblies().AddAssembly(typeof(DeltaConnectorFactory).Assembly);

    [Fact]
    public async Task CreateSink_FromOptions_WritesAPartitionedTableInAJob()
    {
        using var temp = new TempDirectory();
        var sink = Registry().CreateSink("orders", s_schema, new Dictionary<string, string>
        {
            ["connector"] = "delta",
            ["path"] = temp.File("orders"),
            ["partition-by"] = "region",
        });
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection([Row.Of(s_schema, 1L, "eu"), Row.Of(s_schema, 2L, "us")]).SinkTo(sink);

        await env.ExecuteAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var table = DeltaTable.Open(temp.File("orders"));
        table.GetSnapshot().PartitionColumns.ShouldBe(["region"]);
        table.ReadRows().Select(r => (r.GetInt64(0), r.GetString(1))).Order().ShouldBe([(1L, "eu"), (2L, "us")]);
    }

    [Fact]
    public void CreateSink_PartitionByUnknownColumn_NamesTheOption()
    {
        using var temp = new TempDirectory();

        var error = Should.Throw<ConfigOptionsException>(() => Registry().CreateSink("orders", s_schema, new Dictionary<string, string>
        {
            ["connector"] = "delta",
            ["path"] = temp.File("orders"),
            ["partition-by"] = "country",
        }));

        error.Message.ShouldBe("Option 'partition-by' of connector 'delta' must name columns of the table (id, region), but 'country' is not one (got 'country').");
    }

    [Fact]
    public async Task Sink_RetractionRow_FailsTheJobNamingTheRow()
    {
        using var temp = new TempDirectory();
        var delete = Row.Of(s_schema, 1L, "eu");
        delete.Kind = RowKind.Delete;
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection([delete]).ToDelta(temp.File("t"), s_schema);

        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync().WaitAsync(TimeSpan.FromSeconds(60)));

        error.ToString().ShouldContain("cannot apply the Delete row");
    }
}
