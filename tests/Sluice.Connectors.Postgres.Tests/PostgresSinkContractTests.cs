using Sluice.Connectors.Postgres.Sinks;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Tests.Shared.Contracts;

namespace Sluice.Connectors.Postgres.Tests;

/// <summary>The two-phase sink contract for <see cref="PostgresSink{T}"/> in append mode: committed rows are those a fresh connection sees.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresAppendSinkContractTests(PostgresCluster cluster) : TwoPhaseSinkContractTests<Row>
{
    private static readonly Schema s_schema = Schema.Parse("v BIGINT NOT NULL, label STRING");
    private readonly string _table = PostgresCluster.NewTable("contract_append");

    protected override ITwoPhaseSink<Row> CreateSink() =>
        PostgresSink.ForRows(new PostgresSinkOptions { ConnectionString = cluster.ConnectionString, Table = _table }, s_schema);

    protected override Row ToRecord(long value) => Row.Of(s_schema, value, "v" + value);

    protected override IReadOnlyList<long> ReadCommitted() =>
        cluster.Scalar($"SELECT count(*) FROM pg_tables WHERE tablename = '{_table}'") == 0
            ? []
            : [.. cluster.Query($"SELECT v FROM {_table}").Select(r => (long)r[0]!)];

    protected override int StagedLeftovers() =>
        cluster.Scalar($"SELECT count(*) FROM pg_tables WHERE tablename = '_sluice_stage_{_table}'") == 0
            ? 0
            : (int)cluster.Scalar($"SELECT count(*) FROM _sluice_stage_{_table}");
}

/// <summary>The two-phase sink contract in upsert mode (every value its own key, so the table holds each value once).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresUpsertSinkContractTests(PostgresCluster cluster) : TwoPhaseSinkContractTests<Row>
{
    private static readonly Schema s_schema = Schema.Parse("v BIGINT NOT NULL, label STRING");
    private readonly string _table = PostgresCluster.NewTable("contract_upsert");

    protected override ITwoPhaseSink<Row> CreateSink() =>
        PostgresSink.ForRows(new PostgresSinkOptions { ConnectionString = cluster.ConnectionString, Table = _table, Mode = PostgresWriteMode.Upsert, PrimaryKey = ["v"] }, s_schema);

    protected override Row ToRecord(long value) => Row.Of(s_schema, value, "v" + value);

    protected override IReadOnlyList<long> ReadCommitted() =>
        cluster.Scalar($"SELECT count(*) FROM pg_tables WHERE tablename = '{_table}'") == 0
            ? []
            : [.. cluster.Query($"SELECT v FROM {_table}").Select(r => (long)r[0]!)];

    protected override int StagedLeftovers() =>
        cluster.Scalar($"SELECT count(*) FROM pg_tables WHERE tablename = '_sluice_stage_{_table}'") == 0
            ? 0
            : (int)cluster.Scalar($"SELECT count(*) FROM _sluice_stage_{_table}");
}
