using Sluice.Connectors.Postgres.Sinks;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Tests.Shared.Contracts;

namespace Sluice.Connectors.Postgres.Tests;

/// <summary>The two-phase sink contract for <see cref="PostgresSink{T}"/>: committed rows are those a fresh connection sees; nothing stays staged.</summary>
public abstract class PostgresSinkContractTests(PostgresCluster cluster, string tablePrefix) : TwoPhaseSinkContractTests<Row>
{
    private static readonly Schema s_schema = Schema.Parse("v BIGINT NOT NULL, label STRING");

    /// <summary>The test's own table.</summary>
    protected string Table { get; } = PostgresCluster.NewTable(tablePrefix);

    /// <summary>The sink's options for <see cref="Table"/>.</summary>
    protected abstract PostgresSinkOptions Options(string connectionString);

    protected override ITwoPhaseSink<Row> CreateSink() => PostgresSink.ForRows(Options(cluster.ConnectionString), s_schema);

    protected override Row ToRecord(long value) => Row.Of(s_schema, value, "v" + value);

    protected override IReadOnlyList<long> ReadCommitted() =>
        cluster.Scalar($"SELECT count(*) FROM pg_tables WHERE tablename = '{Table}'") == 0
            ? []
            : [.. cluster.Query($"SELECT v FROM {Table}").Select(r => (long)r[0]!)];

    /// <summary>Staged rows, and prepared transactions of the sink left neither committed nor rolled back.</summary>
    protected override int StagedLeftovers() =>
        (int)cluster.Scalar($"SELECT count(*) FROM pg_prepared_xacts WHERE starts_with(gid, '{PostgresSink<Row>.PreparedTransactionPrefix("postgres", $"\"{Table}\"")}')") +
        (cluster.Scalar($"SELECT count(*) FROM pg_tables WHERE tablename = '_sluice_stage_{Table}'") == 0
            ? 0
            : (int)cluster.Scalar($"SELECT count(*) FROM _sluice_stage_{Table}"));
}

/// <summary>The contract in append mode, through prepared transactions: duplicates would show as repeated values.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresAppendSinkContractTests(PostgresCluster cluster) : PostgresSinkContractTests(cluster, "contract_append")
{
    protected override PostgresSinkOptions Options(string connectionString) =>
        new() { ConnectionString = connectionString, Table = Table, SchemaEvolution = SchemaEvolutionMode.None };
}

/// <summary>The contract in append mode on a server without prepared transactions: the staging fallback.</summary>
[Collection(PostgresWithoutPreparedTransactionsCollection.Name)]
public sealed class PostgresStagedAppendSinkContractTests(PostgresClusterWithoutPreparedTransactions cluster) : PostgresSinkContractTests(cluster, "contract_staged")
{
    protected override PostgresSinkOptions Options(string connectionString) => new() { ConnectionString = connectionString, Table = Table };
}

/// <summary>The contract in upsert mode (every value its own key, so duplicates cannot show; loss and visibility can).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresUpsertSinkContractTests(PostgresCluster cluster) : PostgresSinkContractTests(cluster, "contract_upsert")
{
    protected override PostgresSinkOptions Options(string connectionString) =>
        new() { ConnectionString = connectionString, Table = Table, Mode = PostgresWriteMode.Upsert, PrimaryKey = ["v"] };
}

/// <summary>The contract in upsert mode through prepared transactions (schema evolution off).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresPreparedUpsertSinkContractTests(PostgresCluster cluster) : PostgresSinkContractTests(cluster, "contract_pupsert")
{
    protected override PostgresSinkOptions Options(string connectionString) =>
        new() { ConnectionString = connectionString, Table = Table, Mode = PostgresWriteMode.Upsert, PrimaryKey = ["v"], SchemaEvolution = SchemaEvolutionMode.None, UpsertMode = PostgresUpsertMode.Prepared };
}
