using System.Diagnostics.Metrics;
using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Blackhole;
using Sluice.Connectors.Print;
using Sluice.Schemas;
using Sluice.Testing;

namespace Sluice.Api.Tests.Connectors;

public sealed class PrintAndBlackholeConnectorTests
{
    private static readonly Schema s_schema = Schema.Parse("id INT, name STRING");

    private static Row[] Rows() =>
    [
        Row.Of(s_schema, 1, "Alice"),
        Row.Of(s_schema, 2, null),
        new Row(s_schema) { Kind = RowKind.Delete },
    ];

    private static void RunJob(ConnectorRegistry registry, Dictionary<string, string> sinkOptions, int parallelism = 1)
    {
        using var driver = new JobTestDriver(new JobOptions { Parallelism = parallelism });
        var sink = registry.CreateSink("out", s_schema, sinkOptions);
        driver.Environment.FromCollection(Rows()).SinkTo(sink);
        driver.RunToCompletion();
    }

    [Fact]
    public void Print_Default_WritesFlinkNotationToStandardOutput()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var registry = new ConnectorRegistry().Register(new PrintConnectorFactory(output, error));

        RunJob(registry, new Dictionary<string, string> { ["connector"] = "print" });

        output.ToString().ShouldBe("+I[1, Alice]\n+I[2, null]\n-D[null, null]\n".ReplaceLineEndings());
        error.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void Print_IdentifierAndStandardError_PrefixLinesOnTheErrorWriter()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var registry = new ConnectorRegistry().Register(new PrintConnectorFactory(output, error));

        RunJob(registry, new Dictionary<string, string> { ["connector"] = "print", ["print-identifier"] = "orders", ["standard-error"] = "true" });

        error.ToString().ShouldBe("orders> +I[1, Alice]\norders> +I[2, null]\norders> -D[null, null]\n".ReplaceLineEndings());
        output.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void Print_Parallel_PrefixesTheOneBasedSubtask()
    {
        var output = new StringWriter();
        var registry = new ConnectorRegistry().Register(new PrintConnectorFactory(output));

        RunJob(registry, new Dictionary<string, string> { ["connector"] = "print", ["print-identifier"] = "o" }, parallelism: 2);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        lines.Count.ShouldBe(3);
        lines.ShouldAllBe(l => l.StartsWith("o:1> ", StringComparison.Ordinal) || l.StartsWith("o:2> ", StringComparison.Ordinal));
        lines.Select(l => l[5..]).Order(StringComparer.Ordinal).ShouldBe(["+I[1, Alice]", "+I[2, null]", "-D[null, null]"]);
    }

    [Fact]
    public void Blackhole_DiscardsAndCountsRowsPerTable()
    {
        var table = "blackhole-test-" + Guid.NewGuid().ToString("N");
        long measured = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "sluice.blackhole.rows")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "table" && (string?)tag.Value == table)
                {
                    Interlocked.Add(ref measured, value);
                }
            }
        });
        listener.Start();
        var registry = new ConnectorRegistry().Register(new BlackholeConnectorFactory());
        var sink = (BlackholeRowSink)registry.CreateSink(table, s_schema, new Dictionary<string, string> { ["connector"] = "blackhole" });

        using (var driver = new JobTestDriver(new JobOptions { Parallelism = 2 }))
        {
            driver.Environment.FromCollection(Rows()).SinkTo(sink);
            driver.RunToCompletion();
        }

        sink.RowsDiscarded.ShouldBe(3);
        Interlocked.Read(ref measured).ShouldBe(3);
    }

    [Fact]
    public void Blackhole_AnyOption_IsRejected()
    {
        var registry = new ConnectorRegistry().Register(new BlackholeConnectorFactory());

        Should.Throw<ConfigOptionsException>(() => registry.CreateSink("t", s_schema, new Dictionary<string, string> { ["connector"] = "blackhole", ["x"] = "1" }))
            .Message.ShouldBe("Connector 'blackhole' takes no options (got 'x').");
    }
}
