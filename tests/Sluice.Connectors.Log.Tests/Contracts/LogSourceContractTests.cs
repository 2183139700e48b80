using System.Globalization;
using Sluice.Connectors.Log.Tests.Support;
using Sluice.Formats;
using Sluice.Sources;
using Sluice.Tests.Shared.Contracts;

namespace Sluice.Connectors.Log.Tests.Contracts;

/// <summary>The source contract for <see cref="LogSource{T}"/>: a topic of two partitions, one split each.</summary>
public sealed class LogSourceContractTests : SourceContractTests
{
    private const string Topic = "t";
    private readonly TempLog _log = new();

    public LogSourceContractTests() => _log.CreateTopic(Topic, 2);

    protected override int SplitCount => 2;

    protected override void Append(int split, IReadOnlyList<long> values) =>
        _log.AppendRaw(Topic, split, [.. values.Select(v => v.ToString(CultureInfo.InvariantCulture))]);

    protected override string AppendMalformed(int split)
    {
        var offset = _log.Log.GetPartition(Topic, split).EndOffset;
        _log.AppendRaw(Topic, split, "{not json");
        return $"{Topic}/{split}/{offset}";
    }

    protected override string DeadLetterSource => "log:" + Topic;

    protected override ISource<long> CreateSource() =>
        new LogSource<long>(_log.Log, Topic, MessageDeserializers.Json<long>(), new LogSourceOptions { Bounded = true, MaxRecordsPerPoll = 7 });

    public override void Dispose()
    {
        _log.Dispose();
        base.Dispose();
    }
}
