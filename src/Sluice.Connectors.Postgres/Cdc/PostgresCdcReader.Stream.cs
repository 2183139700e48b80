using System.Data;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;
using Sluice.Connectors.Postgres.Sinks;
using Sluice.Schemas;

namespace Sluice.Connectors.Postgres.Cdc;

/// <summary>The background task: set-up, the initial snapshot and the streaming of the slot.</summary>
internal sealed partial class PostgresCdcReader
{
    /// <summary>The prefix of the heartbeat messages (<c>pg_logical_emit_message</c>).</summary>
    public const string HeartbeatPrefix = "sluice_heartbeat";

    private static readonly TimeSpan s_slotBusyTimeout = TimeSpan.FromSeconds(30);

    private async Task RunAsync(PostgresCdcPosition? restored, CancellationToken cancellationToken)
    {
        try
        {
            var purpose = $"the CDC source of table '{_options.Table}'";
            using var connection = PostgresConnections.Open(_options.ConnectionString, purpose, static (m, e) => new PostgresCdcException(m, e));
            var table = PostgresCdcSetup.Prepare(connection, _options, _schema);
            if (_options.Envelope == PostgresCdcEnvelope.Debezium)
            {
                var (schemaName, tableName) = PostgresCdcSetup.SplitName(_options.Table);
                _debezium = new PostgresCdcDebezium(_schema, _options.ServerName ?? connection.Database, connection.Database, schemaName, tableName, _context.TimeProvider);
            }
            var existing = PostgresCdcSetup.QueryRows(connection,
                "SELECT plugin::text, confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1 AND database = current_database()",
                static r => (Plugin: r.IsDBNull(0) ? "" : r.GetString(0), Confirmed: r.IsDBNull(1) ? null : r.GetString(1)), _options.SlotName);
            if (existing.Count > 0 && existing[0].Plugin != "pgoutput")
            {
                throw new PostgresCdcException($"Replication slot '{_options.SlotName}' decodes with '{existing[0].Plugin}'; the CDC source reads pgoutput: name another slot ('slot.name'), or drop this one (SELECT pg_drop_replication_slot('{_options.SlotName}')).");
            }

            // Npgsql's own status updates carry the confirmed position of a quiet stream (see NotifyCheckpointComplete).
            var replication = new LogicalReplicationConnection(_options.ConnectionString) { WalReceiverStatusInterval = TimeSpan.FromSeconds(1) };
            await using (replication.ConfigureAwait(false))
            {
                await replication.Open(cancellationToken).ConfigureAwait(false);
                PgOutputReplicationSlot slot;
                NpgsqlLogSequenceNumber start;
                // A checkpoint taken before the first snapshot chunk was emitted holds nothing downstream: start afresh.
                var restart = restored is { IsNothingYet: true };
                if (restart)
                {
                    restored = null;
                }
                if (restored is not null)
                {
                    if (existing.Count == 0)
                    {
                        throw new PostgresCdcException($"Replication slot '{_options.SlotName}' of table '{table.DisplayName}' no longer exists, so the changes after the checkpointed position {restored.Lsn} are lost. The job does not take a new snapshot silently: to start over, recreate the job without its checkpoints (a new snapshot), or restore the slot's WAL.");
                    }
                    if (restored.Phase == PostgresCdcPhase.Snapshot)
                    {
                        await ResumeSnapshotAsync(connection, restored, table, cancellationToken).ConfigureAwait(false);
                    }
                    slot = new PgOutputReplicationSlot(_options.SlotName);
                    start = restored.Lsn;
                }
                else if (_options.StartupMode == PostgresCdcStartupMode.Initial)
                {
                    if (existing.Count > 0)
                    {
                        if (!_source.CreatedSlot && !restart)
                        {
                            throw new PostgresCdcException($"Replication slot '{_options.SlotName}' already exists, but the job has no checkpoint of it, so no snapshot matches its position. Drop it (SELECT pg_drop_replication_slot('{_options.SlotName}')) to take a new snapshot, name another slot, or start from the slot without a snapshot ('scan.startup.mode' = 'latest-offset').");
                        }
                        // This job created it and failed before any of its rows were checkpointed: nothing downstream has them.
                        await replication.DropReplicationSlot(_options.SlotName, wait: true, cancellationToken).ConfigureAwait(false);
                    }
                    slot = await replication.CreatePgOutputReplicationSlot(_options.SlotName, temporarySlot: false, LogicalSlotSnapshotInitMode.Export, cancellationToken: cancellationToken).ConfigureAwait(false);
                    _source.CreatedSlot = true;
                    _logger.LogInformation("Created replication slot {Slot} at {Lsn} for table {Table} (job {Job})", _options.SlotName, slot.ConsistentPoint, table.DisplayName, _context.JobName);
                    await SnapshotAsync(connection, slot.SnapshotName!, slot.ConsistentPoint, table, [], cancellationToken).ConfigureAwait(false);
                    start = slot.ConsistentPoint;
                }
                else if (existing.Count == 0)
                {
                    slot = await replication.CreatePgOutputReplicationSlot(_options.SlotName, temporarySlot: false, LogicalSlotSnapshotInitMode.NoExport, cancellationToken: cancellationToken).ConfigureAwait(false);
                    _source.CreatedSlot = true;
                    start = slot.ConsistentPoint;
                }
                else
                {
                    slot = new PgOutputReplicationSlot(_options.SlotName);
                    start = existing[0].Confirmed is { } confirmed ? NpgsqlLogSequenceNumber.Parse(confirmed) : default;
                }
                await PublishAsync([], PostgresCdcPosition.Streaming(start), cancellationToken).ConfigureAwait(false);
                using var heartbeats = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var heartbeat = _options.HeartbeatInterval > TimeSpan.Zero ? HeartbeatAsync(heartbeats.Token) : Task.CompletedTask;
                try
                {
                    await StreamAsync(replication, slot, start, table, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await heartbeats.CancelAsync().ConfigureAwait(false);
                    await heartbeat.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (Exception e)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                _logger.LogError(e, "The CDC source of table {Table} (slot {Slot}, job {Job}) failed", _options.Table, _options.SlotName, _context.JobName);
            }
            Fail(e);
        }
    }

    /// <summary>Copies the table as of <paramref name="snapshotName"/> in primary-key order, chunk by chunk, after <paramref name="lastKey"/>.</summary>
    private async Task SnapshotAsync(NpgsqlConnection connection, string? snapshotName, NpgsqlLogSequenceNumber consistentPoint, PostgresCdcTable table, IReadOnlyList<string> lastKey, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            if (snapshotName is not null)
            {
                using var import = new NpgsqlCommand($"SET TRANSACTION SNAPSHOT '{snapshotName.Replace("'", "''", StringComparison.Ordinal)}'", connection, transaction);
                await import.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            var rows = 0L;
            var key = lastKey;
            var readAt = _context.TimeProvider.GetUtcNow();
            while (true)
            {
                var chunk = new List<Row>(Math.Min(_options.SnapshotChunkSize, 65_536));
                var more = false; // the chunk query reads one row past the chunk: whether this chunk is the last one
                using (var command = SnapshotChunk(connection, transaction, table, key))
                {
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            if (chunk.Count == _options.SnapshotChunkSize)
                            {
                                more = true; // the next chunk starts with this row
                                break;
                            }
                            var row = new Row(_schema);
                            for (var i = 0; i < _kinds.Length; i++)
                            {
                                PostgresCdcValues.Read(reader, i, row, i, _kinds[i]);
                            }
                            chunk.Add(row);
                            if (chunk.Count == _options.SnapshotChunkSize)
                            {
                                var last = new string[table.KeyColumns.Length];
                                for (var k = 0; k < last.Length; k++)
                                {
                                    last[k] = reader.GetString(_kinds.Length + k);
                                }
                                key = last;
                            }
                        }
                    }
                }
                rows += chunk.Count;
                if (_debezium is { } debezium)
                {
                    for (var i = 0; i < chunk.Count; i++)
                    {
                        var last = !more && i == chunk.Count - 1;
                        chunk[i] = debezium.Change(null, chunk[i], "r", last ? "last" : "true", readAt, null, (ulong)consistentPoint);
                    }
                }
                if (!more)
                {
                    // The last chunk: once it is emitted the snapshot is complete, and streaming starts at the consistent point.
                    await PublishAsync(chunk, PostgresCdcPosition.Streaming(consistentPoint), cancellationToken).ConfigureAwait(false);
                    break;
                }
                await PublishAsync(chunk, new PostgresCdcPosition(PostgresCdcPhase.Snapshot, consistentPoint, key), cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Snapshot of table {Table} done: {Rows} rows (slot {Slot}, job {Job})", table.DisplayName, rows, _options.SlotName, _context.JobName);
        }
    }

    /// <summary>
    /// SELECT of the next chunk and the row after it (to tell the last chunk, even when the row count is a multiple of
    /// the chunk size): the schema's columns cast to their field types, then the key columns as text.
    /// </summary>
    private NpgsqlCommand SnapshotChunk(NpgsqlConnection connection, NpgsqlTransaction transaction, PostgresCdcTable table, IReadOnlyList<string> after)
    {
        var sql = new StringBuilder("SELECT ");
        for (var i = 0; i < _schema.Count; i++)
        {
            sql.Append(CultureInfo.InvariantCulture, $"{PostgresColumns.Quote(_schema[i].Name)}::{PostgresCdcValues.CastType(_schema[i].Type)}, ");
        }
        sql.AppendJoin(", ", table.KeyColumns.Select(static c => PostgresColumns.Quote(c) + "::text"));
        sql.Append(CultureInfo.InvariantCulture, $" FROM {table.QualifiedName} AS t");
        var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
        if (after.Count > 0)
        {
            sql.Append(" WHERE (").AppendJoin(", ", table.KeyColumns.Select(static c => "t." + PostgresColumns.Quote(c))).Append(") > (");
            for (var k = 0; k < after.Count; k++)
            {
                sql.Append(CultureInfo.InvariantCulture, $"{(k > 0 ? ", " : "")}CAST(${k + 1} AS {table.KeyTypes[k]})");
                command.Parameters.Add(new NpgsqlParameter { Value = after[k], NpgsqlDbType = NpgsqlDbType.Text });
            }
            sql.Append(')');
        }
        sql.Append(" ORDER BY ").AppendJoin(", ", table.KeyColumns.Select(static c => "t." + PostgresColumns.Quote(c)));
        sql.Append(CultureInfo.InvariantCulture, $" LIMIT {_options.SnapshotChunkSize + 1L}"); // one more: whether another chunk follows
        command.CommandText = sql.ToString();
        return command;
    }

    /// <summary>Writes a heartbeat every <see cref="PostgresCdcOptions.HeartbeatInterval"/> until cancelled.</summary>
    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(_options.HeartbeatInterval, _context.TimeProvider);
            using var connection = PostgresConnections.Open(_options.ConnectionString, $"the heartbeat of the CDC source of table '{_options.Table}'", static (m, e) => new PostgresCdcException(m, e));
            using var command = new NpgsqlCommand($"SELECT pg_logical_emit_message(false, '{HeartbeatPrefix}', '')", connection);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped with the stream.
        }
        catch (Exception e)
        {
            // Without heartbeats a quiet table pins WAL: fail rather than keep it silently.
            Fail(new PostgresCdcException($"The heartbeat of the CDC source of table '{_options.Table}' (slot '{_options.SlotName}') failed: {e.Message}", e));
        }
    }
}
