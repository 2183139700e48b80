using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;
using Sluice.Schemas;

namespace Sluice.Connectors.Postgres.Sinks;

/// <summary>Schema evolution: the writers' own staging tables, the commit's <c>ALTER TABLE</c>, dead letters, committable version 2.</summary>
public sealed partial class PostgresSink<T>
{
    private static readonly string[] s_bookkeeping = ["writer", "seq", "ord", "op"];

    private readonly string _writerStagingPrefix;

    /// <summary>
    /// <c>_sluice_stage_&lt;8 hex digits of SHA-256(table)&gt;_</c>: the names of the writers' own staging tables start
    /// with it. Hashed because a name holds at most 63 bytes, and a table name plus a writer id (32 hex digits) may not fit.
    /// </summary>
    private static string WriterStagingPrefix(string table) => "_sluice_stage_" + TableHash(table) + "_";

    /// <summary>8 hex digits of SHA-256(<paramref name="table"/>): names of the sink's own tables hold it instead of the table's name, which may not fit in 63 bytes.</summary>
    private static string TableHash(string table)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(table), digest);
        return Convert.ToHexStringLower(digest[..4]);
    }

    /// <summary>The staging table of one writer that widened its layout (quoted, qualified).</summary>
    private string WriterStaging(Guid writer) => Qualified(_writerStagingPrefix + writer.ToString("N"));

    /// <summary>
    /// Creates (or widens) <paramref name="writer"/>'s own staging table for rows of <paramref name="layout"/>: the shared
    /// staging table's columns, then every column of the layout it lacks. Only that writer uses the table, so nothing
    /// else holds a lock on it but a commit of its earlier batch (which ends on its own).
    /// </summary>
    /// <returns>The table (quoted, qualified).</returns>
    /// <exception cref="NotSupportedException">A new field has a nested type.</exception>
    internal string PrepareWriterStaging(NpgsqlConnection connection, Guid writer, Schema layout)
    {
        var table = WriterStaging(writer);
        Execute(connection, null, $"CREATE TABLE IF NOT EXISTS {table} (LIKE {Staging})");
        var existing = Columns(connection, table);
        foreach (var field in layout)
        {
            if (!existing.ContainsKey(field.Name))
            {
                Execute(connection, null, $"ALTER TABLE {table} ADD COLUMN {PostgresColumns.Quote(field.Name)} {PostgresColumns.SqlType(field.Type, field.Name)}");
            }
        }
        return table;
    }

    /// <summary>
    /// Inside the commit transaction: adds to the target every column of the writer's staging table it lacks (nullable,
    /// of the staged type), and returns the columns to move and the FROM item reading the batch from both staging tables
    /// (the shared one's rows get null in the columns it lacks).
    /// </summary>
    /// <exception cref="InvalidDataException">A staged column exists in the target with another type (changed outside the sink).</exception>
    private (string[] Columns, string From) EvolveTarget(NpgsqlConnection connection, NpgsqlTransaction transaction, string writerStaging, List<(string Name, string Type)> writerColumns, long checkpointId)
    {
        // Serializes the evolving commits of all subtasks (the lock conflicts with itself, not with the plain commits'
        // inserts nor with readers), so each reads the columns the previous one added instead of adding them again.
        Execute(connection, transaction, $"LOCK TABLE {Target} IN SHARE UPDATE EXCLUSIVE MODE");
        var target = ColumnList(connection, transaction, Target).ToDictionary(c => c.Name, c => c.Type, StringComparer.Ordinal);
        var shared = new HashSet<string>(Schema.Select(f => f.Name), StringComparer.Ordinal);
        var columns = new List<string>();
        var sharedSelect = new List<string>();
        var added = new List<string>();
        foreach (var (name, type) in writerColumns)
        {
            if (Array.IndexOf(s_bookkeeping, name) >= 0)
            {
                continue;
            }
            var quoted = PostgresColumns.Quote(name);
            if (!target.TryGetValue(name, out var targetType))
            {
                Execute(connection, transaction, $"ALTER TABLE {Target} ADD COLUMN {quoted} {type}");
                added.Add($"{name} {type}");
            }
            else if (!shared.Contains(name) && !string.Equals(BaseType(targetType), BaseType(type), StringComparison.Ordinal))
            {
                throw new InvalidDataException($"Cannot commit checkpoint #{checkpointId} into table {Options.Table}: its column '{name}' is {targetType}, but the rows staged for it are {type}; change the column, or write these rows into another table.");
            }
            columns.Add(quoted);
            sharedSelect.Add(shared.Contains(name) ? quoted : "NULL AS " + quoted);
        }
        if (added.Count > 0)
        {
            _logger.LogInformation("Table {Table} gained column(s) {Columns} in the commit of checkpoint #{CheckpointId}.", Options.Table, string.Join(", ", added), checkpointId);
        }
        // The writer's table comes first: UNION ALL takes its column types, and resolves the shared side's NULLs to them.
        var from = $"(SELECT ord, op, {string.Join(", ", columns)} FROM {writerStaging} WHERE writer = $1 AND seq = $2 "
            + $"UNION ALL SELECT ord, op, {string.Join(", ", sharedSelect)} FROM {Staging} WHERE writer = $1 AND seq = $2) AS staged";
        return ([.. columns], from);
    }

    private static string BaseType(string type)
    {
        var parenthesis = type.IndexOf('(', StringComparison.Ordinal);
        return parenthesis < 0 ? type : type[..parenthesis];
    }

    /// <summary>The columns of <paramref name="table"/> (quoted, qualified) in order, typed as a definition declares them (<c>numeric(9,2)</c>); empty when it does not exist.</summary>
    private static List<(string Name, string Type)> ColumnList(NpgsqlConnection connection, NpgsqlTransaction transaction, string table)
    {
        using var command = new NpgsqlCommand(
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = table });
        var columns = new List<(string, string)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            columns.Add((reader.GetString(0), reader.GetString(1)));
        }
        return columns;
    }

    private void InsertDeadLetters(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<DeadLetter> letters)
    {
        Execute(connection, transaction, $"CREATE TABLE IF NOT EXISTS {DeadLetterTable} (source text, position text, reason text, payload text, field_path text)");
        using var insert = new NpgsqlCommand($"INSERT INTO {DeadLetterTable} (source, position, reason, payload, field_path) VALUES ($1, $2, $3, $4, $5)", connection, transaction);
        var parameters = new NpgsqlParameter[5];
        for (var i = 0; i < parameters.Length; i++)
        {
            insert.Parameters.Add(parameters[i] = new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        }
        foreach (var letter in letters)
        {
            var texts = Texts(letter);
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = (object?)texts[i] ?? DBNull.Value;
            }
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// In <see cref="AbortPending"/>: deletes the staged rows of checkpoints after <paramref name="restoredCheckpointId"/>
    /// from the writers' own staging tables of this target, and drops those left empty (their writers are gone: a new
    /// writer has a new id).
    /// </summary>
    private void AbortWriterStaging(NpgsqlConnection connection, long restoredCheckpointId)
    {
        var tables = new List<string>();
        using (var find = new NpgsqlCommand(
            "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
            "WHERE c.relkind = 'r' AND n.nspname = coalesce($1, current_schema()) AND left(c.relname, length($2)) = $2", connection))
        {
            find.Parameters.Add(new NpgsqlParameter { Value = (object?)SchemaName ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            find.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _writerStagingPrefix });
            using var reader = find.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(Qualified(reader.GetString(0)));
            }
        }
        foreach (var table in tables)
        {
            using var delete = new NpgsqlCommand($"DELETE FROM {table} WHERE seq > $1", connection);
            delete.Parameters.Add(new NpgsqlParameter<long> { TypedValue = restoredCheckpointId });
            delete.ExecuteNonQuery();
            using var left = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
            if ((long)left.ExecuteScalar()! == 0)
            {
                Execute(connection, null, $"DROP TABLE {table}");
            }
        }
    }

    /// <summary>
    /// Encodes a committable: version 1 (version byte, writer id (16 bytes), sequence and row count, big-endian int64) when
    /// there are no dead letters; else version 2: the same, then the letters' count (int32) and per letter its source,
    /// position, reason, payload and field path, each an int32 byte length (-1 for null) and UTF-8.
    /// </summary>
    internal static byte[] EncodeCommittable(Guid writer, long sequence, long rows, IReadOnlyList<DeadLetter>? deadLetters = null)
    {
        var length = CommittableLength;
        if (deadLetters is { Count: > 0 })
        {
            length += 4;
            foreach (var letter in deadLetters)
            {
                foreach (var text in Texts(letter))
                {
                    length += 4 + (text is null ? 0 : Encoding.UTF8.GetByteCount(text));
                }
            }
        }
        var bytes = new byte[length];
        bytes[0] = length == CommittableLength ? CommittableVersion : CommittableWithDeadLettersVersion;
        writer.TryWriteBytes(bytes.AsSpan(1, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(17), sequence);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(25), rows);
        if (length > CommittableLength)
        {
            var span = bytes.AsSpan(CommittableLength);
            BinaryPrimitives.WriteInt32BigEndian(span, deadLetters!.Count);
            span = span[4..];
            foreach (var letter in deadLetters)
            {
                foreach (var text in Texts(letter))
                {
                    var count = text is null ? -1 : Encoding.UTF8.GetBytes(text, span[4..]);
                    BinaryPrimitives.WriteInt32BigEndian(span, count);
                    span = span[(4 + Math.Max(count, 0))..];
                }
            }
        }
        return bytes;
    }

    /// <summary>Decodes <see cref="EncodeCommittable"/>'s bytes (version 1 or 2).</summary>
    /// <exception cref="InvalidDataException">Not a committable of this sink.</exception>
    internal static (Guid Writer, long Sequence, long Rows, IReadOnlyList<DeadLetter> DeadLetters) DecodeCommittable(byte[] committable)
    {
        var version = committable.Length > 0 ? committable[0] : -1;
        if (version == CommittableVersion ? committable.Length != CommittableLength : version != CommittableWithDeadLettersVersion || committable.Length < CommittableLength + 4)
        {
            throw new InvalidDataException($"Not a PostgreSQL sink committable of version {CommittableVersion} or {CommittableWithDeadLettersVersion}: {committable.Length} bytes, first byte {version}.");
        }
        var writer = new Guid(committable.AsSpan(1, 16), bigEndian: true);
        var sequence = BinaryPrimitives.ReadInt64BigEndian(committable.AsSpan(17));
        var rows = BinaryPrimitives.ReadInt64BigEndian(committable.AsSpan(25));
        if (version == CommittableVersion)
        {
            return (writer, sequence, rows, []);
        }
        try
        {
            ReadOnlySpan<byte> span = committable.AsSpan(CommittableLength);
            var count = BinaryPrimitives.ReadInt32BigEndian(span);
            span = span[4..];
            var letters = new DeadLetter[count];
            var texts = new string?[5];
            for (var i = 0; i < count; i++)
            {
                for (var t = 0; t < texts.Length; t++)
                {
                    var length = BinaryPrimitives.ReadInt32BigEndian(span);
                    texts[t] = length < 0 ? null : Encoding.UTF8.GetString(span.Slice(4, length));
                    span = span[(4 + Math.Max(length, 0))..];
                }
                letters[i] = new DeadLetter(texts[0]!, texts[1]!, texts[2]!, texts[3]!, texts[4]) { Kind = DeadLetterKind.Schema, Operator = texts[0] };
            }
            if (!span.IsEmpty)
            {
                throw new InvalidDataException($"A PostgreSQL sink committable of version {CommittableWithDeadLettersVersion} has {span.Length} bytes after its {count} dead letters.");
            }
            return (writer, sequence, rows, letters);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"A PostgreSQL sink committable of version {CommittableWithDeadLettersVersion} ends inside its dead letters ({committable.Length} bytes).", e);
        }
    }

    private static string?[] Texts(DeadLetter letter) => [letter.Source, letter.Position, letter.Reason, letter.Payload, letter.FieldPath];
}
