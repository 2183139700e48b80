using System.Globalization;
using System.Text;
using Sluice.Connectors.Log.Tests.Support;
using Sluice.Formats;
using Sluice.Sinks;
using Sluice.Tests.Shared.Contracts;

namespace Sluice.Connectors.Log.Tests.Contracts;

/// <summary>
/// The two-phase sink contract for the transactional <see cref="LogSink{T}"/>: committed records are those a
/// read-committed fetch returns; a crash closes and reopens the log, as kill -9 would.
/// </summary>
public sealed class LogSinkContractTests : TwoPhaseSinkContractTests<string>
{
    private const string Topic = "out";
    private readonly TempLog _log = new();

    public LogSinkContractTests() => _log.CreateTopic(Topic, 3);

    protected override ITwoPhaseSink<string> CreateSink() =>
        new LogSink<string>(_log.Log, Topic, MessageSerializers.Utf8String(),
            new LogSinkOptions { ExactlyOnce = true, TransactionalIdPrefix = "job/sink", Linger = TimeSpan.FromMilliseconds(5), MaxBatchRecords = 16 });

    protected override string ToRecord(long value) => value.ToString(CultureInfo.InvariantCulture);

    protected override IReadOnlyList<long> ReadCommitted() =>
        [.. _log.ReadAll(Topic).Select(r => long.Parse(Encoding.UTF8.GetString(r.Record.Value!), CultureInfo.InvariantCulture))];

    protected override void AfterCrash() => _log.Reopen();

    public override void Dispose()
    {
        _log.Dispose();
        base.Dispose();
    }
}
