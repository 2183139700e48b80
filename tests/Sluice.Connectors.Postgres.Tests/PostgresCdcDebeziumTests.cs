using System.Buffers;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using Sluice.Connectors.Postgres.Cdc;
using Sluice.Formats;
using Sluice.Schemas;

namespace Sluice.Connectors.Postgres.Tests;

/// <summary>
/// The Debezium envelope (<see cref="PostgresCdcEnvelope.Debezium"/>) written with the json format, against JSON written
/// by hand from Debezium's documented PostgreSQL change event value (before, after, source, op, ts_ms; values as with
/// time.precision.mode=adaptive_time_microseconds and decimal.handling.mode=string). What the server decides — the
/// commit time, the transaction id, the LSN — is checked against the server, then put into the expected text.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCdcDebeziumTests(PostgresCluster cluster) : IDisposable
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, name STRING, amount DECIMAL(10, 2), day DATE, at TIMESTAMP(6), paid BOOLEAN");
    private static readonly DateTimeOffset s_readAt = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero); // 1796558400000 ms
    private readonly string _table = PostgresCluster.NewTable("dbz");

    public void Dispose()
    {
        if (cluster.Scalar($"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{_table}'") > 0)
        {
            cluster.Execute($"SELECT pg_drop_replication_slot('{_table}')");
        }
    }

    [Fact]
    public void Debezium_SnapshotInsertUpdateDelete_JsonIsDebeziumsEnvelope()
    {
        cluster.Execute($"CREATE TABLE {_table} (id bigint PRIMARY KEY, name text, amount numeric(10, 2), day date, at timestamp(6), paid boolean); ALTER TABLE {_table} REPLICA IDENTITY FULL");
        cluster.Execute($"INSERT INTO {_table} VALUES (1, 'old', 1.5, NULL, NULL, false)");
        var source = new PostgresCdcSource(new PostgresCdcOptions
        {
            ConnectionString = cluster.ConnectionString,
            Table = _table,
            SlotName = _table,
            HeartbeatInterval = TimeSpan.Zero,
            Envelope = PostgresCdcEnvelope.Debezium,
            ServerName = "shop",
        }, s_schema);
        source.OutputSchema.ShouldBe(PostgresCdcSource.DebeziumSchema(s_schema));
        using var reader = new CdcReaderHarness(source, time: new FixedTime(s_readAt));

        reader.ReadUntil(1);
        var startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1_000; // the server's clock is this machine's
        long txId;
        NpgsqlLogSequenceNumber lsnBefore;
        using (var connection = new NpgsqlConnection(cluster.ConnectionString))
        {
            connection.Open();
            lsnBefore = NpgsqlLogSequenceNumber.Parse((string)new NpgsqlCommand("SELECT pg_current_wal_lsn()::text", connection).ExecuteScalar()!);
            using var transaction = connection.BeginTransaction();
            txId = (long)new NpgsqlCommand("SELECT txid_current()", connection, transaction).ExecuteScalar()!;
            new NpgsqlCommand($"INSERT INTO {_table} VALUES (2, 'ann', 12.50, DATE '2026-12-06', TIMESTAMP '2026-12-06 10:11:12.345678', true); "
                + $"UPDATE {_table} SET name = 'bob', paid = NULL WHERE id = 2; DELETE FROM {_table} WHERE id = 1", connection, transaction).ExecuteNonQuery();
            transaction.Commit();
        }
        var rows = reader.ReadUntil(4);
        var endMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1_000;
        var lsnAfter = NpgsqlLogSequenceNumber.Parse((string)cluster.Query("SELECT pg_current_wal_lsn()::text")[0][0]!);

        var serializer = RowFormats.Json.CreateSerializer(source.OutputSchema);
        var json = rows.Select(r => Json(serializer, r)).ToList();
        rows.ShouldAllBe(r => r.Kind == RowKind.Insert);

        var snapshotSource = json[0]["source"]!.AsObject();
        var consistentPoint = snapshotSource["lsn"]!.GetValue<long>();
        consistentPoint.ShouldBeGreaterThan(0);
        consistentPoint.ShouldBeLessThanOrEqualTo((long)(ulong)lsnBefore);
        JsonNode.DeepEquals(json[0], JsonNode.Parse(Expected(
            before: "null",
            after: """{"id":1,"name":"old","amount":"1.50","day":null,"at":null,"paid":false}""",
            op: "r", snapshot: "last", sourceTsMs: 1796558400000, txId: "null", lsn: consistentPoint))).ShouldBeTrue(json[0].ToJsonString());

        long previousLsn = 0;
        for (var i = 1; i < 4; i++)
        {
            var changeSource = json[i]["source"]!.AsObject();
            changeSource["txId"]!.GetValue<long>().ShouldBe(txId);
            changeSource["ts_ms"]!.GetValue<long>().ShouldBeInRange(startMs, endMs);
            var lsn = changeSource["lsn"]!.GetValue<long>();
            lsn.ShouldBeGreaterThanOrEqualTo((long)(ulong)lsnBefore); // the first record starts where the WAL stood
            lsn.ShouldBeGreaterThan(previousLsn);
            lsn.ShouldBeLessThanOrEqualTo((long)(ulong)lsnAfter);
            previousLsn = lsn;
        }
        string Streamed(int i, string before, string after, string op) => Expected(before, after, op, "false",
            json[i]["source"]!["ts_ms"]!.GetValue<long>(), txId.ToString(System.Globalization.CultureInfo.InvariantCulture), json[i]["source"]!["lsn"]!.GetValue<long>());
        const string ann = """{"id":2,"name":"ann","amount":"12.50","day":20793,"at":1796551872345678,"paid":true}""";
        const string bob = """{"id":2,"name":"bob","amount":"12.50","day":20793,"at":1796551872345678,"paid":null}""";
        const string old = """{"id":1,"name":"old","amount":"1.50","day":null,"at":null,"paid":false}""";
        JsonNode.DeepEquals(json[1], JsonNode.Parse(Streamed(1, "null", ann, "c"))).ShouldBeTrue(json[1].ToJsonString());
        JsonNode.DeepEquals(json[2], JsonNode.Parse(Streamed(2, ann, bob, "u"))).ShouldBeTrue(json[2].ToJsonString());
        JsonNode.DeepEquals(json[3], JsonNode.Parse(Streamed(3, old, "null", "d"))).ShouldBeTrue(json[3].ToJsonString());
    }

    [Theory]
    [InlineData(6)] // an exact multiple of the chunk size: the last chunk is full
    [InlineData(7)]
    [InlineData(2)] // one chunk, not full
    public void Debezium_Snapshot_MarksExactlyItsLastRowLast_WhateverTheChunking(int count)
    {
        cluster.Execute($"CREATE TABLE {_table} (id bigint PRIMARY KEY, name text, amount numeric(10, 2), day date, at timestamp(6), paid boolean)");
        cluster.Execute($"ALTER TABLE {_table} REPLICA IDENTITY FULL; INSERT INTO {_table} (id, name) SELECT i, 'n' || i FROM generate_series(1, {count}) i");
        var source = new PostgresCdcSource(new PostgresCdcOptions
        {
            ConnectionString = cluster.ConnectionString,
            Table = _table,
            SlotName = _table,
            HeartbeatInterval = TimeSpan.Zero,
            Envelope = PostgresCdcEnvelope.Debezium,
            SnapshotChunkSize = 3,
        }, s_schema);
        using var reader = new CdcReaderHarness(source, time: new FixedTime(s_readAt));

        var rows = reader.ReadUntil(count);
        reader.PollUntil(() => reader.Position.Phase == PostgresCdcPhase.Stream, "the snapshot is complete");

        var serializer = RowFormats.Json.CreateSerializer(source.OutputSchema);
        var markers = rows.Select(r => Json(serializer, r)["source"]!["snapshot"]!.GetValue<string>()).ToList();
        string[] expected = [.. Enumerable.Repeat("true", count - 1), "last"];
        markers.ShouldBe(expected);
        reader.Rows.Select(r => Json(serializer, r)["after"]!["id"]!.GetValue<long>()).ShouldBe(Enumerable.Range(1, count).Select(i => (long)i), "every row once, in key order");
    }

    /// <summary>A Debezium PostgreSQL change event value for this test's table, as documented (ts_ms: the fixed read time).</summary>
    private string Expected(string before, string after, string op, string snapshot, long sourceTsMs, string txId, long lsn) => $$"""
        {
          "before": {{before}},
          "after": {{after}},
          "source": {
            "version": "{{Version}}", "connector": "postgresql", "name": "shop", "ts_ms": {{sourceTsMs}}, "snapshot": "{{snapshot}}",
            "db": "postgres", "schema": "public", "table": "{{_table}}", "txId": {{txId}}, "lsn": {{lsn}}
          },
          "op": "{{op}}",
          "ts_ms": 1796558400000
        }
        """;

    /// <summary>The Sluice version in <c>source.version</c>: the connector assembly's, without the commit suffix.</summary>
    private static string Version => typeof(PostgresCdcSource).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
        .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion.Split('+')[0];

    private static JsonNode Json(IRowSerializer serializer, Row row)
    {
        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(row, buffer).ShouldBeTrue();
        return JsonNode.Parse(buffer.WrittenSpan)!;
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
