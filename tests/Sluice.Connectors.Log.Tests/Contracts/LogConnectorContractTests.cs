using System.Globalization;
using System.Text;
using System.Text.Json;
using Sluice.Connectors.Log.Tests.Support;
using Sluice.Log;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Sources;
using Sluice.Tests.Shared.Contracts;

namespace Sluice.Connectors.Log.Tests.Contracts;

/// <summary>
/// The two-phase sink contract for the 'sluice-log' factory's sink (exactly-once, json): committed records are those a
/// read-committed fetch of the shared log returns; a crash disposes every table, which closes the shared log, and the
/// next sink opens it again from its files, as a restarted process would.
/// </summary>
public sealed class LogConnectorSinkContractTests : TwoPhaseSinkContractTests<Row>
{
    private static readonly Schema s_schema = Schema.Parse("v BIGINT NOT NULL");
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sluice-logfactory-sink-" + Guid.NewGuid().ToString("N"));
    private readonly ConnectorRegistry _registry = new ConnectorRegistry().AddAssembly(typeof(LogConnectorFactory).Assembly);
    private readonly List<IDisposable> _tables = [];

    protected override ITwoPhaseSink<Row> CreateSink()
    {
        var sink = _registry.CreateSink("out", s_schema, new Dictionary<string, string>
        {
            ["connector"] = "sluice-log",
            ["path"] = _directory,
            ["topic"] = "out",
            ["topic.partitions"] = "3",
            ["format"] = "json",
            ["sink.delivery-guarantee"] = "exactly-once",
            ["sink.transactional-id-prefix"] = "job/sink",
        });
        _tables.Add((IDisposable)sink);
        return (ITwoPhaseSink<Row>)sink;
    }

    protected override Row ToRecord(long value) => Row.Of(s_schema, value);

    protected override IReadOnlyList<long> ReadCommitted()
    {
        using var lease = SharedLogs.Acquire(_directory);
        return [.. TempLog.ReadAll(lease.Log, "out").Select(r => JsonDocument.Parse(r.Record.Value!).RootElement.GetProperty("v").GetInt64())];
    }

    protected override void AfterCrash()
    {
        DisposeTables();
        SharedLogs.ReferencesTo(_directory).ShouldBe(0, "the crashed run's tables released the log");
    }

    private void DisposeTables()
    {
        foreach (var table in _tables)
        {
            table.Dispose();
        }
        _tables.Clear();
    }

    public override void Dispose()
    {
        DisposeTables();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
        base.Dispose();
    }
}

/// <summary>
/// The source contract for the 'sluice-log' factory's source (csv, bounded by 'latest-offset'): a topic of two
/// partitions, one split each; the contract's JSON numbers are one-column csv records.
/// </summary>
public sealed class LogConnectorSourceContractTests : SourceContractTests
{
    private const string Topic = "t";
    private static readonly Schema s_schema = Schema.Parse("v BIGINT NOT NULL");
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sluice-logfactory-source-" + Guid.NewGuid().ToString("N"));
    private readonly ConnectorRegistry _registry = new ConnectorRegistry().AddAssembly(typeof(LogConnectorFactory).Assembly);
    private readonly List<IDisposable> _tables = [];
    private readonly SharedLogLease _lease;

    public LogConnectorSourceContractTests()
    {
        _lease = SharedLogs.Acquire(_directory);
        _lease.GetOrCreateTopic(Topic, 2);
    }

    protected override int SplitCount => 2;

    protected override void Append(int split, IReadOnlyList<long> values)
    {
        using var batch = new RecordBatchBuilder();
        foreach (var value in values)
        {
            batch.AddWithoutKey(Encoding.UTF8.GetBytes(value.ToString(CultureInfo.InvariantCulture)), 1);
        }
        _lease.Log.GetPartition(Topic, split).Append(batch);
    }

    protected override string AppendMalformed(int split)
    {
        var partition = _lease.Log.GetPartition(Topic, split);
        var offset = partition.EndOffset;
        using var batch = new RecordBatchBuilder();
        batch.AddWithoutKey("{not json"u8.ToArray(), 1);
        partition.Append(batch);
        return $"{Topic}/{split}/{offset}";
    }

    protected override string DeadLetterSource => "log:" + Topic;

    protected override ISource<long> CreateSource()
    {
        var source = _registry.CreateSource("in", s_schema, new Dictionary<string, string>
        {
            ["connector"] = "sluice-log",
            ["path"] = _directory,
            ["topic"] = Topic,
            ["format"] = "csv",
            ["scan.startup.mode"] = "earliest-offset",
            ["scan.bounded.mode"] = "latest-offset",
        });
        _tables.Add((IDisposable)source);
        return new FirstColumnSource(source);
    }

    public override void Dispose()
    {
        foreach (var table in _tables)
        {
            table.Dispose();
        }
        _lease.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
        base.Dispose();
    }
}
