using System.Globalization;
using System.Reflection;
using Sluice.Schemas;

namespace Sluice.Connectors.Postgres.Cdc;

/// <summary>
/// Debezium's change event envelope as a row (<see cref="PostgresCdcEnvelope.Debezium"/>): <c>before</c>, <c>after</c>,
/// <c>source</c>, <c>op</c>, <c>ts_ms</c>, which the <c>json</c> format writes as Debezium's JSON value (without the
/// converter's <c>schema</c> part). Values are encoded as Debezium's PostgreSQL connector encodes them with
/// <c>time.precision.mode</c> = <c>adaptive_time_microseconds</c> and <c>decimal.handling.mode</c> = <c>string</c>:
/// DATE as days since 1970-01-01 (INT), TIME as microseconds of the day (BIGINT), TIMESTAMP(0..3) as epoch
/// milliseconds and TIMESTAMP(4..6) as epoch microseconds (BIGINT), TIMESTAMP_LTZ as ISO-8601 text in UTC, DECIMAL as
/// plain text; the other types as they are (BYTES as base64 text in JSON). One instance per reader; not thread-safe.
/// </summary>
internal sealed class PostgresCdcDebezium
{
    /// <summary>The <c>source.connector</c> value: Debezium's PostgreSQL connector name, which consumers may check.</summary>
    public const string Connector = "postgresql";

    private const int Before = 0, After = 1, Source = 2, Op = 3, TsMs = 4;
    private const int SourceVersion = 0, SourceConnector = 1, SourceName = 2, SourceTsMs = 3, SourceSnapshot = 4, SourceDb = 5, SourceSchema = 6,
        SourceTable = 7, SourceTxId = 8, SourceLsn = 9;

    private static readonly string s_version = typeof(PostgresCdcDebezium).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";
    private readonly Schema _envelope;
    private readonly Schema _image;
    private readonly Schema _source;
    private readonly Schema _table;
    private readonly TimeProvider _time;
    private readonly string _name;
    private readonly string _database;
    private readonly string _schemaName;
    private readonly string _tableName;

    public PostgresCdcDebezium(Schema table, string serverName, string database, string schemaName, string tableName, TimeProvider time)
    {
        _table = table;
        _envelope = EnvelopeSchema(table);
        _image = _envelope[Before].Type.Fields!;
        _source = _envelope[Source].Type.Fields!;
        _name = serverName;
        _database = database;
        _schemaName = schemaName;
        _tableName = tableName;
        _time = time;
    }

    /// <summary>
    /// The schema of the envelope rows for a table of <paramref name="table"/>'s columns: <c>before</c> and <c>after</c>
    /// (ROWs of the columns as Debezium encodes them, see the type's summary; null when absent), <c>source</c>
    /// (<c>version, connector, name, ts_ms, snapshot, db, schema, table, txId, lsn</c>), <c>op</c> (<c>r</c> snapshot
    /// read, <c>c</c> insert, <c>u</c> update, <c>d</c> delete) and <c>ts_ms</c> (when Sluice read the change, epoch ms).
    /// </summary>
    public static Schema EnvelopeSchema(Schema table)
    {
        var fields = new Field[table.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = new Field(table[i].Name, EncodedType(table[i].Type));
        }
        var image = DataType.Row(fields);
        var source = DataType.Row(
            new Field("version", DataType.Varchar.NotNull()),
            new Field("connector", DataType.Varchar.NotNull()),
            new Field("name", DataType.Varchar.NotNull()),
            new Field("ts_ms", DataType.BigInt.NotNull()),
            new Field("snapshot", DataType.Varchar.NotNull()),
            new Field("db", DataType.Varchar.NotNull()),
            new Field("schema", DataType.Varchar.NotNull()),
            new Field("table", DataType.Varchar.NotNull()),
            new Field("txId", DataType.BigInt),
            new Field("lsn", DataType.BigInt));
        return new Schema(
            new Field("before", image),
            new Field("after", image),
            new Field("source", source.NotNull()),
            new Field("op", DataType.Varchar.NotNull()),
            new Field("ts_ms", DataType.BigInt.NotNull()));
    }

    /// <summary>The envelope of one change.</summary>
    /// <param name="before">The old row (an update's or a delete's; key columns only without REPLICA IDENTITY FULL), or null.</param>
    /// <param name="after">The new row (an insert's, an update's, a snapshot row), or null.</param>
    /// <param name="op">Debezium's operation: <c>r</c>, <c>c</c>, <c>u</c> or <c>d</c>.</param>
    /// <param name="snapshot"><c>true</c>, <c>last</c> (the snapshot's last row) or <c>false</c> (a streamed change).</param>
    /// <param name="committed">When the transaction committed (streamed), or when the snapshot was read.</param>
    /// <param name="txId">The transaction id, null for snapshot rows.</param>
    /// <param name="lsn">The change's LSN (the slot's consistent point for snapshot rows).</param>
    public Row Change(Row? before, Row? after, string op, string snapshot, DateTimeOffset committed, long? txId, ulong lsn)
    {
        var source = new Row(_source);
        source.SetString(SourceVersion, s_version);
        source.SetString(SourceConnector, Connector);
        source.SetString(SourceName, _name);
        source.SetInt64(SourceTsMs, committed.ToUnixTimeMilliseconds());
        source.SetString(SourceSnapshot, snapshot);
        source.SetString(SourceDb, _database);
        source.SetString(SourceSchema, _schemaName);
        source.SetString(SourceTable, _tableName);
        if (txId is { } id)
        {
            source.SetInt64(SourceTxId, id);
        }
        source.SetInt64(SourceLsn, (long)lsn);
        var envelope = new Row(_envelope);
        envelope.SetRow(Before, before is null ? null : Image(before));
        envelope.SetRow(After, after is null ? null : Image(after));
        envelope.SetRow(Source, source);
        envelope.SetString(Op, op);
        envelope.SetInt64(TsMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
        return envelope;
    }

    /// <summary>A table row's values encoded as Debezium encodes them.</summary>
    private Row Image(Row row)
    {
        var image = new Row(_image);
        for (var i = 0; i < _table.Count; i++)
        {
            if (row.IsNull(i))
            {
                continue;
            }
            var type = _table[i].Type;
            switch (type.Kind)
            {
                case DataTypeKind.Date:
                    image.SetInt32(i, row.GetDate(i).DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber);
                    break;
                case DataTypeKind.Time:
                    image.SetInt64(i, row.GetTime(i).Ticks / TimeSpan.TicksPerMicrosecond);
                    break;
                case DataTypeKind.Timestamp:
                    var ticks = row.GetTimestamp(i).Ticks - DateTime.UnixEpoch.Ticks;
                    image.SetInt64(i, type.Precision <= 3 ? ticks / TimeSpan.TicksPerMillisecond : ticks / TimeSpan.TicksPerMicrosecond);
                    break;
                case DataTypeKind.TimestampLtz:
                    image.SetString(i, row.GetTimestampLtz(i).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture));
                    break;
                case DataTypeKind.Decimal:
                    image.SetString(i, row.GetDecimal(i).ToString(CultureInfo.InvariantCulture));
                    break;
                default:
                    image.SetValue(i, row.GetValue(i));
                    break;
            }
        }
        return image;
    }

    /// <summary>The type a column of <paramref name="type"/> has in the envelope's images.</summary>
    private static DataType EncodedType(DataType type) => type.Kind switch
    {
        DataTypeKind.Date => DataType.Int,
        DataTypeKind.Time or DataTypeKind.Timestamp => DataType.BigInt,
        DataTypeKind.TimestampLtz or DataTypeKind.Decimal => DataType.Varchar,
        _ => type.Nullable(),
    };
}
