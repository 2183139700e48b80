using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;
using Sluice.Schemas;

namespace Sluice.Connectors.Postgres.Cdc;

/// <summary>Streaming: pgoutput messages to changelog rows, published per committed transaction.</summary>
internal sealed partial class PostgresCdcReader
{
    /// <summary>A restore from a checkpoint taken during the initial snapshot: not resumable (see the connector docs).</summary>
    private Task ResumeSnapshotAsync(NpgsqlConnection connection, PostgresCdcPosition restored, PostgresCdcTable table, CancellationToken cancellationToken) =>
        throw new PostgresCdcException($"The job restores a checkpoint taken during the initial snapshot of table '{table.DisplayName}' (after key ({string.Join(", ", restored.LastKey)})), and a snapshot cannot be resumed consistently with slot '{_options.SlotName}'. Start over: drop the slot (SELECT pg_drop_replication_slot('{_options.SlotName}')) and run the job without its checkpoints.");

    private async Task StreamAsync(LogicalReplicationConnection replication, PgOutputReplicationSlot slot, NpgsqlLogSequenceNumber start, PostgresCdcTable table, CancellationToken cancellationToken)
    {
        var (schemaName, tableName) = PostgresCdcSetup.SplitName(_options.Table);
        var options = new PgOutputReplicationOptions(_options.Publication, PgOutputProtocolVersion.V1, binary: true, messages: true);
        var confirmed = new NpgsqlLogSequenceNumber((ulong)Interlocked.Read(ref _confirmedLsn));
        if (confirmed > start)
        {
            throw new PostgresCdcException($"Slot '{_options.SlotName}' was confirmed up to {confirmed}, after the position {start} the job resumes from; the changes between are gone. Restore the latest checkpoint.");
        }
        var deadline = DateTime.UtcNow + s_slotBusyTimeout;
        var pending = new List<Row>();
        var inTransaction = false;
        long? transactionId = null;
        var committedAt = DateTimeOffset.UnixEpoch;
        uint? relation = null;
        var map = Array.Empty<int>();
        while (true)
        {
            try
            {
                var messages = replication.StartReplication(slot, options, cancellationToken, start);
                _replication = replication;
                var sent = 0L;
                await foreach (var message in messages.ConfigureAwait(false))
                {
                    // Confirmations go out from this loop, between messages (Npgsql's pattern: one user of the connection at a
                    // time), at the first message after a checkpoint completed — at once after a restore, whose checkpoint
                    // completed too. A quiet stream's confirmation goes with Npgsql's own status updates (every second).
                    if (Interlocked.Read(ref _confirmedLsn) is var confirmedLsn && confirmedLsn > sent)
                    {
                        replication.SetReplicationStatus(new NpgsqlLogSequenceNumber((ulong)confirmedLsn));
                        await replication.SendStatusUpdate(cancellationToken).ConfigureAwait(false);
                        sent = confirmedLsn;
                    }
                    switch (message)
                    {
                        case BeginMessage b:
                            pending.Clear();
                            inTransaction = true;
                            transactionId = b.TransactionXid;
                            committedAt = new DateTimeOffset(DateTime.SpecifyKind(b.TransactionCommitTimestamp, DateTimeKind.Utc));
                            break;
                        case RelationMessage r:
                            if (r.Namespace == schemaName && r.RelationName == tableName)
                            {
                                relation = r.RelationId;
                                map = MapColumns(r);
                            }
                            break;
                        case InsertMessage m when m.Relation.RelationId == relation:
                            {
                                var after = await ReadTupleAsync(m.NewRow, map, RowKind.Insert, null, cancellationToken).ConfigureAwait(false);
                                pending.Add(_debezium is { } debezium ? debezium.Change(null, after, "c", "false", committedAt, transactionId, (ulong)m.WalStart) : after);
                                break;
                            }
                        case FullUpdateMessage m when m.Relation.RelationId == relation:
                            {
                                var before = await ReadTupleAsync(m.OldRow, map, RowKind.UpdateBefore, null, cancellationToken).ConfigureAwait(false);
                                var after = await ReadTupleAsync(m.NewRow, map, RowKind.UpdateAfter, before, cancellationToken).ConfigureAwait(false);
                                if (_debezium is { } debezium)
                                {
                                    pending.Add(debezium.Change(before, after, "u", "false", committedAt, transactionId, (ulong)m.WalStart));
                                    break;
                                }
                                if (_options.Changelog == ChangelogMode.All)
                                {
                                    pending.Add(before);
                                }
                                pending.Add(after);
                                break;
                            }
                        case IndexUpdateMessage m when m.Relation.RelationId == relation:
                            {
                                RequireUpsert(table, "an update that changed the key");
                                var oldKey = await ReadTupleAsync(m.Key, map, RowKind.Delete, null, cancellationToken).ConfigureAwait(false);
                                var after = await ReadTupleAsync(m.NewRow, map, RowKind.UpdateAfter, null, cancellationToken).ConfigureAwait(false);
                                if (_debezium is { } debezium)
                                {
                                    // As Debezium: a key change is a delete of the old key and a create of the new row.
                                    pending.Add(debezium.Change(oldKey, null, "d", "false", committedAt, transactionId, (ulong)m.WalStart));
                                    pending.Add(debezium.Change(null, after, "c", "false", committedAt, transactionId, (ulong)m.WalStart));
                                    break;
                                }
                                pending.Add(oldKey);
                                pending.Add(after);
                                break;
                            }
                        case UpdateMessage m when m.Relation.RelationId == relation:
                            {
                                RequireUpsert(table, "an update");
                                var after = await ReadTupleAsync(m.NewRow, map, RowKind.UpdateAfter, null, cancellationToken).ConfigureAwait(false);
                                pending.Add(_debezium is { } debezium ? debezium.Change(null, after, "u", "false", committedAt, transactionId, (ulong)m.WalStart) : after);
                                break;
                            }
                        case FullDeleteMessage m when m.Relation.RelationId == relation:
                            {
                                var before = await ReadTupleAsync(m.OldRow, map, RowKind.Delete, null, cancellationToken).ConfigureAwait(false);
                                pending.Add(_debezium is { } debezium ? debezium.Change(before, null, "d", "false", committedAt, transactionId, (ulong)m.WalStart) : before);
                                break;
                            }
                        case KeyDeleteMessage m when m.Relation.RelationId == relation:
                            {
                                RequireUpsert(table, "a delete");
                                var before = await ReadTupleAsync(m.Key, map, RowKind.Delete, null, cancellationToken).ConfigureAwait(false);
                                pending.Add(_debezium is { } debezium ? debezium.Change(before, null, "d", "false", committedAt, transactionId, (ulong)m.WalStart) : before);
                                break;
                            }
                        case TruncateMessage t when relation is { } id && t.Relations.Any(r => r.RelationId == id):
                            throw new PostgresCdcException($"Table '{table.DisplayName}' was truncated (at {t.WalStart}); a changelog cannot retract rows it does not know, so the CDC source stops. Start over with a new snapshot: drop slot '{_options.SlotName}' (SELECT pg_drop_replication_slot('{_options.SlotName}')) and run the job without its checkpoints.");
                        case CommitMessage c:
                            inTransaction = false;
                            if (c.TransactionEndLsn > start)
                            {
                                await PublishAsync(pending, PostgresCdcPosition.Streaming(c.TransactionEndLsn), cancellationToken).ConfigureAwait(false);
                            }
                            pending.Clear();
                            break;
                        case LogicalDecodingMessage d when !inTransaction && d.MessageLsn > start:
                            await PublishAsync([], PostgresCdcPosition.Streaming(d.MessageLsn), cancellationToken).ConfigureAwait(false);
                            break;
                        default:
                            break;
                    }
                }
                throw new PostgresCdcException($"PostgreSQL ended the replication of slot '{_options.SlotName}' (table '{table.DisplayName}'); the job restarts from its last checkpoint.");
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && DateTime.UtcNow < deadline)
            {
                // The slot is still held by the previous run's walsender, which exits shortly after its connection closed.
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedObject)
            {
                throw new PostgresCdcException($"Replication slot '{_options.SlotName}' of table '{table.DisplayName}' no longer exists ({e.MessageText}), so the changes after position {start} are lost. The job does not take a new snapshot silently: to start over, recreate the job without its checkpoints (a new snapshot).", e);
            }
        }
    }

    private void RequireUpsert(PostgresCdcTable table, string change)
    {
        if (_options.Changelog != ChangelogMode.Upsert && _debezium is null)
        {
            throw new PostgresCdcException($"Table '{table.DisplayName}' sent {change} without the old row (its REPLICA IDENTITY is no longer FULL), which the retracting changelog ('all') needs: run ALTER TABLE {table.DisplayName} REPLICA IDENTITY FULL and restart the job, or read it as an upsert changelog.");
        }
    }

    /// <summary>Relation column i → the schema field it fills, or −1 (a column the schema does not declare).</summary>
    private int[] MapColumns(RelationMessage relation)
    {
        var map = new int[relation.Columns.Count];
        for (var i = 0; i < map.Length; i++)
        {
            map[i] = _schema.IndexOf(relation.Columns[i].ColumnName);
        }
        return map;
    }

    /// <summary>
    /// Reads a tuple into a new row of kind <paramref name="kind"/>. Columns the schema lacks are skipped; fields the
    /// tuple lacks (a dropped column, a key-only image) stay null; an unchanged TOAST value is taken from <paramref name="previous"/>.
    /// </summary>
    private async ValueTask<Row> ReadTupleAsync(ReplicationTuple tuple, int[] map, RowKind kind, Row? previous, CancellationToken cancellationToken)
    {
        var row = new Row(_schema) { Kind = kind };
        var column = 0;
        await foreach (var value in tuple.ConfigureAwait(false))
        {
            var field = column < map.Length ? map[column] : -1;
            column++;
            if (field < 0 || value.IsDBNull)
            {
                continue;
            }
            if (value.IsUnchangedToastedValue)
            {
                if (previous is null)
                {
                    throw new PostgresCdcException($"Column '{_schema[field].Name}' of table '{_options.Table}' changed without its large (TOASTed) value in the slot's output: run ALTER TABLE {_options.Table} REPLICA IDENTITY FULL so updates carry it.");
                }
                row.SetValue(field, previous.GetValue(field));
                continue;
            }
            await PostgresCdcValues.ReadAsync(value, row, field, _kinds[field], cancellationToken).ConfigureAwait(false);
        }
        return row;
    }
}
