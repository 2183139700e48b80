using Sluice.Connectors;
using Sluice.Connectors.Filesystem;
using Sluice.Formats.Parquet;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Tests.Shared.Contracts;

namespace Sluice.Runtime.Tests.Contracts;

/// <summary>
/// The two-phase sink contract for the 'filesystem' connector with <c>format = 'parquet'</c>, partitioned by
/// <c>bucket</c> = value mod 3 and with at most 2 open buckets per writer, so every checkpoint also finishes part files
/// early (a bulk file cannot be reopened): committed records are the rows of the committed Parquet files.
/// </summary>
public sealed class ParquetFilesystemSinkContractTests : TwoPhaseSinkContractTests<Row>
{
    private static readonly Schema s_schema = Schema.Parse("v BIGINT NOT NULL, bucket INT NOT NULL");
    private static readonly Schema s_body = Schema.Parse("v BIGINT NOT NULL");
    private readonly string _output = Path.Combine(Path.GetTempPath(), "sluice-parquet-contract-" + Guid.NewGuid().ToString("N"));
    private readonly ConnectorRegistry _registry = new ConnectorRegistry().Register(new FilesystemConnectorFactory());

    protected override ITwoPhaseSink<Row> CreateSink()
    {
        var options = new Dictionary<string, string> { ["connector"] = "filesystem", ["path"] = _output, ["format"] = "parquet" };
        var context = _registry.CreateContext("out", s_schema, options, ConnectorCapabilities.Sink, out var factory) with { PartitionKeys = ["bucket"] };
        var sink = (PartFileSink<Row>)factory.CreateSink(context);
        sink.MaxOpenBuckets = 2;
        return sink;
    }

    protected override Row ToRecord(long value) => Row.Of(s_schema, value, (int)(value % 3));

    protected override IReadOnlyList<long> ReadCommitted()
    {
        var values = new List<long>();
        foreach (var file in PartFileSink<Row>.CommittedFiles(_output, ".parquet"))
        {
            var bucket = Path.GetFileName(Path.GetDirectoryName(file));
            ParquetRowReader.TryOpen(File.OpenRead(file), s_body, out var reader, out var error).ShouldBeTrue(error?.Message);
            using (reader)
            {
                for (var group = 0; group < reader.RowGroupCount; group++)
                {
                    var rows = reader.LoadRowGroup(group);
                    for (var i = 0; i < rows; i++)
                    {
                        var row = new Row(s_body);
                        reader.TryFill(i, row, [0]).ShouldBeNull();
                        var value = row.GetInt64(0);
                        bucket.ShouldBe($"bucket={value % 3}", "each row is in its partition's directory");
                        values.Add(value);
                    }
                }
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
