using System.Text.Json;
using Sluice.Connectors;
using Sluice.Connectors.Filesystem;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Tests.Shared.Contracts;

namespace Sluice.Runtime.Tests.Contracts;

/// <summary>
/// The two-phase sink contract for the 'filesystem' connector's partitioned sink (json, partitioned by <c>bucket</c> =
/// value mod 3): committed records are the lines of the committed part files of every partition directory.
/// </summary>
public sealed class PartitionedFilesystemSinkContractTests : TwoPhaseSinkContractTests<Row>
{
    private static readonly Schema s_schema = Schema.Parse("v BIGINT NOT NULL, bucket INT NOT NULL");
    private readonly string _output = Path.Combine(Path.GetTempPath(), "sluice-partitioned-contract-" + Guid.NewGuid().ToString("N"));
    private readonly ConnectorRegistry _registry = new ConnectorRegistry().Register(new FilesystemConnectorFactory());

    protected override ITwoPhaseSink<Row> CreateSink()
    {
        var options = new Dictionary<string, string> { ["connector"] = "filesystem", ["path"] = _output, ["format"] = "json" };
        var context = _registry.CreateContext("out", s_schema, options, ConnectorCapabilities.Sink, out var factory) with { PartitionKeys = ["bucket"] };
        return (ITwoPhaseSink<Row>)factory.CreateSink(context);
    }

    protected override Row ToRecord(long value) => Row.Of(s_schema, value, (int)(value % 3));

    protected override IReadOnlyList<long> ReadCommitted()
    {
        var values = new List<long>();
        foreach (var file in PartFileSink<Row>.CommittedFiles(_output, ".jsonl"))
        {
            var bucket = Path.GetFileName(Path.GetDirectoryName(file));
            foreach (var line in File.ReadAllLines(file))
            {
                var value = JsonDocument.Parse(line).RootElement.GetProperty("v").GetInt64();
                bucket.ShouldBe($"bucket={value % 3}", "each row is in its partition's directory");
                values.Add(value);
            }
        }
        return values;
    }

    protected override int StagedLeftovers()
    {
        var staging = Path.Combine(_output, PartFileSink<Row>.StagingDirectoryName);
        return Directory.Exists(staging) ? Directory.GetFiles(staging).Length : 0;
    }

    public override void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
        base.Dispose();
    }
}
