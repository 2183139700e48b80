namespace Sluice.Connectors.Postgres;

/// <summary>How the PostgreSQL sink applies upserts (<see cref="PostgresWriteMode.Upsert"/>).</summary>
public enum PostgresUpsertMode
{
    /// <summary>
    /// The default: rows are staged, then applied by key in the commit transaction once the checkpoint is complete.
    /// Every row is written twice, and any subtask may receive any key.
    /// </summary>
    Staging,

    /// <summary>
    /// Rows are applied by key at the barrier inside a transaction that is prepared (<c>PREPARE TRANSACTION</c>) and
    /// committed with the checkpoint (needs <see cref="Schemas.SchemaEvolutionMode.None"/> and a server whose
    /// <c>max_prepared_transactions</c> is above 0, else the sink stages). Contract: all records of one key must reach
    /// one subtask — key the stream by the primary key. A prepared transaction holds its keys' row locks until the
    /// checkpoint commits, so two subtasks upserting one key would wait on each other: the apply waits at most
    /// <see cref="PostgresSinkOptions.UpsertLockTimeout"/>, then fails naming this contract.
    /// </summary>
    Prepared,
}
