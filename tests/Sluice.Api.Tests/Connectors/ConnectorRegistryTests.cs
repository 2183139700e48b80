using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Blackhole;
using Sluice.Connectors.Datagen;
using Sluice.Connectors.Print;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Sources;

[assembly: ConnectorFactories(typeof(Sluice.Api.Tests.Connectors.ConnectorRegistryTests.EchoFactory))]

namespace Sluice.Api.Tests.Connectors;

public sealed class ConnectorRegistryTests
{
    /// <summary>A factory this test assembly declares, to prove discovery by attribute.</summary>
    public sealed class EchoFactory : IConnectorFactory
    {
        public string Identifier => "echo-test";

        public string Description => "Test connector.";

        public ConnectorCapabilities Capabilities => ConnectorCapabilities.Source | ConnectorCapabilities.Sink;

        public IReadOnlyList<ConfigOption> Options => [];

        public ISource<Row> CreateSource(ConnectorContext context) => new CollectionSource<Row>([]);

        public ISink<Row> CreateSink(ConnectorContext context) => new CollectSink<Row>();
    }

    private sealed class OtherDatagen : IConnectorFactory
    {
        public string Identifier => "datagen";

        public string Description => "Another.";

        public ConnectorCapabilities Capabilities => ConnectorCapabilities.Source;

        public IReadOnlyList<ConfigOption> Options => [];
    }

    private static ConnectorRegistry BuiltIns() => new ConnectorRegistry().AddAssembly(typeof(DatagenConnectorFactory).Assembly);

    [Fact]
    public void FromLoadedAssemblies_FindsTheBuiltInsAndThisAssemblysFactory()
    {
        var identifiers = ConnectorRegistry.FromLoadedAssemblies().Factories.Select(f => f.Identifier).ToList();

        identifiers.ShouldContain("datagen");
        identifiers.ShouldContain("print");
        identifiers.ShouldContain("blackhole");
        identifiers.ShouldContain("echo-test");
    }

    [Fact]
    public void AddAssembly_Twice_RegistersOnce()
    {
        var registry = BuiltIns().AddAssembly(typeof(DatagenConnectorFactory).Assembly);

        registry.Factories.Select(f => f.Identifier).ShouldBe(["blackhole", "datagen", "filesystem", "print"]);
    }

    [Fact]
    public void Register_DuplicateIdentifier_IsRejectedNamingBothFactories()
    {
        var registry = BuiltIns();

        var error = Should.Throw<InvalidOperationException>(() => registry.Register(new OtherDatagen()));

        error.Message.ShouldContain("Connector 'datagen' is registered twice");
        error.Message.ShouldContain(typeof(DatagenConnectorFactory).FullName!);
        error.Message.ShouldContain(typeof(OtherDatagen).FullName!);
    }

    [Fact]
    public void Get_UnknownIdentifier_ListsTheKnownConnectors()
    {
        var error = Should.Throw<ConfigOptionsException>(() => BuiltIns().Get("kafak"));

        error.Message.ShouldBe("There is no connector 'kafak'; the known connectors are: blackhole, datagen, filesystem, print.");
    }

    [Fact]
    public void CreateSource_NoConnectorOption_ListsTheKnownConnectors()
    {
        var error = Should.Throw<ConfigOptionsException>(() => BuiltIns().CreateSource("orders", Schema.Parse("id INT"), new Dictionary<string, string>()));

        error.Message.ShouldBe("Table 'orders' has no 'connector' option; the known connectors are: blackhole, datagen, filesystem, print.");
    }

    [Fact]
    public void CreateSource_SinkOnlyConnector_SaysSo()
    {
        var error = Should.Throw<ConfigOptionsException>(() =>
            BuiltIns().CreateSource("orders", Schema.Parse("id INT"), new Dictionary<string, string> { ["connector"] = "print" }));

        error.Message.ShouldBe("Table 'orders' uses connector 'print' as a source, but it is a sink only.");
    }

    [Fact]
    public void CreateSink_SourceOnlyConnector_SaysSo()
    {
        var error = Should.Throw<ConfigOptionsException>(() =>
            BuiltIns().CreateSink("orders", Schema.Parse("id INT"), new Dictionary<string, string> { ["connector"] = "datagen" }));

        error.Message.ShouldBe("Table 'orders' uses connector 'datagen' as a sink, but it is a source only.");
    }

    [Fact]
    public void CreateLookupSource_ConnectorWithoutLookup_SaysWhatItIs()
    {
        var error = Should.Throw<ConfigOptionsException>(() =>
            BuiltIns().CreateLookupSource("orders", Schema.Parse("id INT"), new Dictionary<string, string> { ["connector"] = "filesystem", ["path"] = "x", ["format"] = "csv" }, ["id"]));

        error.Message.ShouldBe("Table 'orders' uses connector 'filesystem' as a lookup table, but it is a source and sink only.");
    }

    [Fact]
    public void CreateSource_NoSchemaForAConnectorWithoutOne_AsksForColumns()
    {
        var error = Should.Throw<ConfigOptionsException>(() =>
            BuiltIns().CreateSource("orders", null, new Dictionary<string, string> { ["connector"] = "datagen" }));

        error.Message.ShouldBe("Connector 'datagen' needs the table's columns: declare a schema for the table.");
    }

    [Fact]
    public void CreateSource_UnknownOption_IsValidatedWithoutTheConnectorKey()
    {
        var error = Should.Throw<ConfigOptionsException>(() =>
            BuiltIns().CreateSource("orders", Schema.Parse("id INT"), new Dictionary<string, string> { ["connector"] = "datagen", ["rows-per-secnd"] = "5" }));

        error.Message.ShouldBe(
            "Connector 'datagen' has no option 'rows-per-secnd'; its options are: fields.#.end, fields.#.kind, fields.#.length, fields.#.max, fields.#.max-past, fields.#.min, fields.#.null-rate, fields.#.start, number-of-rows, rows-per-second, seed.");
    }

    [Fact]
    public void BuiltIns_DescribeThemselves()
    {
        var registry = BuiltIns();

        registry.Get("datagen").Capabilities.ShouldBe(ConnectorCapabilities.Source);
        registry.Get("print").Capabilities.ShouldBe(ConnectorCapabilities.Sink);
        registry.Get("blackhole").Capabilities.ShouldBe(ConnectorCapabilities.Sink);
        registry.Get("print").ShouldBeOfType<PrintConnectorFactory>().Options.Select(o => o.Key).ShouldBe(["print-identifier", "standard-error"]);
        registry.Get("blackhole").ShouldBeOfType<BlackholeConnectorFactory>().Options.ShouldBeEmpty();
    }
}
