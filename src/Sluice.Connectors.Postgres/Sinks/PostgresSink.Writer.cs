using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Postgres.Sinks;

/// <summary>The writer of one subtask.</summary>
public sealed partial class PostgresSink<T>
{
    /// <summary>
    /// The writer of one subtask: streams rows into the staging table with binary COPY, one COPY per checkpoint — two
    /// when rows widen its layout mid-checkpoint (the COPY so far is completed, and the rows from then on go to the
    /// writer's own staging table). Rows refused as incompatible are kept and travel in the committable. Through
    /// prepared transactions (<see cref="WritesThroughPreparedTransactions"/>), appends copy straight into the target and
    /// upserts into an unlogged batch table created in the transaction, which is prepared at the barrier (upserts are
    /// applied by key, and the batch table dropped, just before).
    /// </summary>
    private sealed class Writer(PostgresSink<T> sink, long restoredCheckpointId, RowSchemaEvolution? evolution, ILogger logger, string operatorName, int subtask) : ITwoPhaseSinkWriter<T>
    {
        private bool _direct; // inside a transaction to prepare, decided at the first connection
        private string? _upsertBatch; // with _direct in upsert mode: the open transaction's batch table
        private long _deletes; // deletes copied since the last barrier (prepared upserts skip the delete pass without)
        private readonly BatchKeys? _keys = sink._keyIndexes.Length == 1 ? BatchKeys.For(sink._kinds[sink._keyIndexes[0]]) : null;
        private readonly Guid _id = Guid.NewGuid();
        private NpgsqlConnection? _connection;
        private NpgsqlBinaryImporter? _copy;
        private long _sequence = restoredCheckpointId + 1;
        private long _order;
        private long _rows;
        private string _staging = sink.Staging; // where the COPY goes: the shared table, or this writer's own once widened
        private string _copyColumns = string.Join(", ", sink._columns);
        private DataTypeKind[] _kinds = sink._kinds;

        public void Write(T value, long timestamp)
        {
            var row = sink._toRow(value);
            if (evolution is not null)
            {
                var admitted = evolution.Admit(row, timestamp, out var widening);
                if (admitted is null)
                {
                    return; // a dead letter, committed with the next checkpoint
                }
                if (widening is not null)
                {
                    Widen(widening);
                }
                row = admitted;
            }
            else if (!ReferenceEquals(row.Schema, sink.Schema) && !row.Schema.Equals(sink.Schema))
            {
                ThrowOtherSchema(row);
            }
            short op;
            switch (row.Kind)
            {
                case RowKind.Insert:
                case RowKind.UpdateAfter when sink.Options.Mode == PostgresWriteMode.Upsert:
                    op = UpsertOp;
                    break;
                case RowKind.UpdateBefore when sink.Options.Mode == PostgresWriteMode.Upsert:
                    return; // superseded by the +U that follows
                case RowKind.Delete when sink.Options.Mode == PostgresWriteMode.Upsert:
                    op = DeleteOp;
                    break;
                default:
                    throw new InvalidOperationException($"The PostgreSQL sink of '{sink.Options.Table}' appends, and received a {row.Kind} row ({row}); appending a changelog would corrupt the table. Use PostgresWriteMode.Upsert with the table's key.");
            }
            foreach (var key in sink._keyIndexes)
            {
                // A widened layout keeps the table's columns first, in order: the key's indexes hold.
                if (row.IsNull(key))
                {
                    throw new ArgumentException($"The PostgreSQL sink of '{sink.Options.Table}' received a row with NULL in key column '{sink.Schema[key].Name}' ({row}); a key must not be NULL.", nameof(value));
                }
            }
            var copy = _copy ??= Begin();
            copy.StartRow();
            if (!_direct)
            {
                copy.Write(_id, NpgsqlDbType.Uuid);
                copy.Write(_sequence, NpgsqlDbType.Bigint);
                copy.Write(_order++, NpgsqlDbType.Bigint);
                copy.Write(op, NpgsqlDbType.Smallint);
            }
            else if (_upsertBatch is not null)
            {
                copy.Write(_order++, NpgsqlDbType.Bigint);
                copy.Write(op, NpgsqlDbType.Smallint);
                _deletes += op;
                _keys?.Add(row, sink._keyIndexes[0]);
            }
            var kinds = _kinds;
            for (var i = 0; i < kinds.Length; i++)
            {
                PostgresColumns.Write(copy, row, i, kinds[i]);
            }
            _rows++;
        }

        public byte[] PrepareCommit(long checkpointId)
        {
            var sequence = _sequence;
            _sequence = checkpointId == long.MaxValue ? long.MaxValue : checkpointId + 1; // end of input: nothing follows; never wrap
            if (_direct)
            {
                return _copy is null ? [] : Prepare(sequence, checkpointId);
            }
            var deadLetters = evolution is { DeadLetterCount: > 0 } ? evolution.TakeDeadLetters() : null;
            if (_copy is not null)
            {
                _copy.Complete();
                _copy.Dispose();
                _copy = null;
            }
            if (_rows == 0 && deadLetters is null)
            {
                return [];
            }
            var rows = _rows;
            _rows = 0;
            return EncodeCommittable(_id, sequence, rows, deadLetters);
        }

        /// <summary>
        /// Completes the COPY (into the target, or for upserts into the batch table, then applied by key), records the
        /// batch in <c>_sluice_commits</c> in the same transaction and prepares it: from then on it survives a crash of
        /// this process and of the server, invisible, until <see cref="Commit"/> or <see cref="AbortPending"/> ends it.
        /// An upserted key stays locked until then: a later batch of this writer touching it waits at its barrier for
        /// this one's commit.
        /// </summary>
        private byte[] Prepare(long sequence, long checkpointId)
        {
            var connection = _connection!;
            var rows = _rows;
            _rows = 0;
            _copy!.Complete();
            _copy.Dispose();
            _copy = null;
            if (_upsertBatch is not null)
            {
                _order = 0;
                var deletes = _deletes;
                _deletes = 0;
                // Without a repeated key nor a delete, no row of the batch is superseded: the apply need not sort it.
                var distinct = _keys is not null && _keys.AllDistinct;
                _keys?.Clear();
                var batch = _upsertBatch;
                _upsertBatch = null; // dropped by the apply, or gone with the transaction should the apply fail
                ApplyOrFail(batch, deletes > 0, lastPerKey: !distinct || deletes > 0, rows, checkpointId);
            }
            var gid = sink.PreparedTransactionId(connection.Database, _id, subtask, sequence);
            try
            {
                sink.RecordBatch(connection, null, _id, sequence, subtask, checkpointId, rows);
                Execute(connection, null, $"PREPARE TRANSACTION '{gid}'");
            }
            catch (PostgresException e) when (e.SqlState != PostgresErrorCodes.DuplicateObject)
            {
                throw new PostgresSinkException($"The PostgreSQL sink of table '{sink.Options.Table}' could not prepare transaction {gid} (checkpoint {checkpointId}, subtask {subtask}, {rows} rows): {e.MessageText}. A server holds at most max_prepared_transactions of them: set it to at least the sink's parallelism times 2 (one checkpoint committing while the next prepares) and restart PostgreSQL.", e);
            }
            return EncodePreparedCommittable(_id, sequence, rows, gid);
        }

        private void ApplyOrFail(string batch, bool withDeletes, bool lastPerKey, long rows, long checkpointId)
        {
            try
            {
                sink.ApplyUpsertBatch(_connection!, batch, withDeletes, lastPerKey);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                throw new PostgresSinkException($"The PostgreSQL sink of table '{sink.Options.Table}' could not apply its batch of checkpoint {checkpointId} (subtask {subtask}, {rows} rows) by key: a row of one of its keys stayed locked by another transaction for {sink.Options.UpsertLockTimeout} ({e.MessageText}). With UpsertMode = Prepared ('sink.upsert-mode' = 'prepared'), records of one key must reach one subtask: key the stream by the primary key, or use the staging upsert mode.", e);
            }
            catch (PostgresException e)
            {
                throw new PostgresSinkException($"The PostgreSQL sink of table '{sink.Options.Table}' could not apply its batch of checkpoint {checkpointId} (subtask {subtask}, {rows} rows) by key: {e.MessageText}.", e);
            }
        }

        public void Flush()
        {
            // The final PrepareCommit stages what is written; nothing is visible before its commit.
        }

        public void Dispose()
        {
            try
            {
                evolution?.DiscardDeadLetters();
                _copy?.Dispose(); // an incomplete COPY is cancelled: nothing of it is staged (an open transaction rolls back on close)
            }
            finally
            {
                _connection?.Dispose();
            }
        }

        /// <summary>
        /// Completes the COPY so far (its rows are staged, invisible until the commit; a crash before it leaves them to
        /// <see cref="AbortPending"/>) and stages the rows from now on into this writer's own staging table, widened.
        /// </summary>
        private void Widen(SchemaEvolutionPlan widening)
        {
            if (_copy is not null)
            {
                _copy.Complete();
                _copy.Dispose();
                _copy = null;
            }
            var layout = widening.Evolved;
            var kinds = new DataTypeKind[layout.Count];
            var columns = new string[layout.Count];
            for (var i = 0; i < layout.Count; i++)
            {
                _ = PostgresColumns.SqlType(layout[i].Type, layout[i].Name); // a nested type fails now, naming the field
                kinds[i] = layout[i].Type.Kind;
                columns[i] = PostgresColumns.Quote(layout[i].Name);
            }
            _connection ??= sink.Connect();
            _staging = sink.PrepareWriterStaging(_connection, _id, layout);
            _kinds = kinds;
            _copyColumns = string.Join(", ", columns);
            logger.LogInformation("Schema evolution of table {Table} ({Sink}): {Change}, for rows of {Origin}; staging into {Staging}.",
                sink.Options.Table, operatorName, widening.ToString(), widening.Incoming.Origin ?? "a schema without origin", _staging);
        }

        [DoesNotReturn]
        private void ThrowOtherSchema(Row row) =>
            throw new InvalidDataException($"The PostgreSQL sink of '{sink.Options.Table}' writes rows of {sink.Schema}, and received a row of {row.Schema} ({SchemaOrigin(row.Schema)}); set PostgresSinkOptions.SchemaEvolution to AddColumns ('schema.evolution' = 'add-columns') to absorb compatible changes.");

        private static string SchemaOrigin(Schema schema) => schema.Origin ?? "a schema without origin";

        private NpgsqlBinaryImporter Begin()
        {
            _connection ??= sink.Connect();
            if (evolution is null && sink.WritesThroughPreparedTransactions(_connection))
            {
                // BEGIN sent as SQL: the transaction ends with PREPARE TRANSACTION, which an NpgsqlTransaction does not know.
                _direct = true;
                Execute(_connection, null, "BEGIN");
                if (sink.Options.Mode != PostgresWriteMode.Upsert)
                {
                    return _connection.BeginBinaryImport($"COPY {sink.Target} ({_copyColumns}) FROM STDIN (FORMAT BINARY)");
                }
                Debug.Assert(_upsertBatch is null, "a batch table lives exactly as long as its transaction");
                var batch = sink.UpsertBatchTable(_id, subtask, _sequence); // the sequence the gid of this transaction will carry
                sink.CreateUpsertBatchTable(_connection, batch);
                _upsertBatch = batch;
                return _connection.BeginBinaryImport($"COPY {batch} (ord, op, {_copyColumns}) FROM STDIN (FORMAT BINARY)");
            }
            return _connection.BeginBinaryImport($"COPY {_staging} (writer, seq, ord, op, {_copyColumns}) FROM STDIN (FORMAT BINARY)");
        }
    }
}
