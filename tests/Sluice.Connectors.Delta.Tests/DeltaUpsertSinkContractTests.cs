using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Tests.Shared.Contracts;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>
/// The two-phase sink contract for <see cref="DeltaUpsertSink"/> with one key per source value (an insert-only
/// changelog): committed rows are those the table's latest snapshot reads, so a checkpoint merged twice or lost shows.
/// </summary>
public sealed class DeltaUpsertSinkContractTests : TwoPhaseSinkContractTests<Row>
{
    private static readonly Schema s_schema = Schema.Parse("value BIGINT NOT NULL, label STRING");
    private readonly TempDirectory _dir = new();

    private string TablePath => _dir.File("table");

    protected override ITwoPhaseSink<Row> CreateSink() => new DeltaUpsertSink(TablePath, s_schema, ["value"]);

    protected override Row ToRecord(long value) => Row.Of(s_schema, value, $"l{value % 3}");

    protected override IReadOnlyList<long> ReadCommitted() =>
        DeltaTable.Exists(TablePath) ? [.. DeltaTable.Open(TablePath).ReadRows().Select(r => r.GetInt64(0))] : [];

    public override void Dispose()
    {
        _dir.Dispose();
        base.Dispose();
    }
}
