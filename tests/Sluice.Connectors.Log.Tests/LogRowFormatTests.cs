using System.Buffers;
using System.Text;
using Sluice.Connectors.Log.Tests.Support;
using Sluice.Formats;
using Sluice.Schemas;

namespace Sluice.Connectors.Log.Tests;

/// <summary>The log connector with rows of a format: dead letters carry the field path; keys come from key fields.</summary>
public class LogRowFormatTests
{
    private static readonly Schema s_schema = Schema.Parse("user_id STRING NOT NULL, address ROW<zip INT>, tags ARRAY<STRING>");

    [Fact]
    public async Task FromLog_RowsThatDoNotMatchTheSchema_AreDeadLettersWithFieldPath()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 1);
        temp.AppendRaw("t", 0, """{"user_id":"u1","address":{"zip":75001}}""", """{"user_id":"u2","address":{"zip":"x"}}""", """{"user_id":"u3","tags":["a",7,{}]}""");

        var env = StreamEnvironment.Create();
        var stream = env.FromLog(temp.Log, "t", MessageDeserializers.Rows(RowFormats.Json.CreateDeserializer(s_schema)), new LogSourceOptions { Bounded = true });
        var good = stream.Collect();
        var dead = stream.GetSideOutput(DeadLetters.Tag).Collect();
        await env.ExecuteAsync().OrTimeout();

        good.Items.ShouldBe([Row.Of(s_schema, "u1", Row.Of(s_schema[1].Type.Fields!, 75001), null)]);
        dead.Items.Count.ShouldBe(2);
        (dead.Items[0] with { Original = null, IngestTime = EventTime.NoTimestamp }).ShouldBe(new DeadLetter("log:t", "t/0/1", "Field 'address.zip': 'x' is not an INT.", """{"user_id":"u2","address":{"zip":"x"}}""", "address.zip")
        {
            Kind = DeadLetterKind.Schema,
            Origin = new RecordOrigin("t", 0, 1),
        });
        Encoding.UTF8.GetString(dead.Items[0].Original!).ShouldBe("""{"user_id":"u2","address":{"zip":"x"}}""");
        dead.Items[1].Position.ShouldBe("t/0/2");
        dead.Items[1].FieldPath.ShouldBe("tags[2]");
        dead.Items[1].Reason.ShouldBe("Field 'tags[2]': Expected a string, found an object.");
    }

    [Fact]
    public async Task ToLog_RowsWithKeyFields_WritesKeyFromKeyFormatAndValueFromValueFormat()
    {
        using var temp = new TempLog();
        temp.CreateTopic("out", 3);
        var rows = new[] { Row.Of(s_schema, "u1", null, new List<object?> { "a" }), Row.Of(s_schema, "u2", null, null) };
        var serializer = MessageSerializers.Rows(RowFormats.Json.CreateSerializer(s_schema), RowFormats.Raw.CreateSerializer(Schema.Parse("user_id STRING NOT NULL")));

        var env = StreamEnvironment.Create();
        env.FromCollection(rows).ToLog(temp.Log, "out", serializer);
        await env.ExecuteAsync().OrTimeout();

        var stored = temp.ReadAll("out").Select(s => (Key: Encoding.UTF8.GetString(s.Record.Key!), Value: Encoding.UTF8.GetString(s.Record.Value!))).OrderBy(s => s.Key).ToList();
        stored.ShouldBe([
            ("u1", """{"user_id":"u1","address":null,"tags":["a"]}"""),
            ("u2", """{"user_id":"u2","address":null,"tags":null}"""),
        ]);
    }

    /// <summary>The log's upsert convention is upsert-kafka's: tombstones for deletes, no message for -U, read back as +U/-D.</summary>
    [Fact]
    public async Task ToLog_UpsertRows_TombstonesForDeletes_ReadBackAsUpsertChangelog()
    {
        using var temp = new TempLog();
        temp.CreateTopic("users", 1);
        var schema = Schema.Parse("id BIGINT NOT NULL, name STRING");
        var key = Schema.Parse("id BIGINT NOT NULL");
        Row Of(RowKind kind, long id, string name)
        {
            var row = Row.Of(schema, id, name);
            row.Kind = kind;
            return row;
        }
        var write = StreamEnvironment.Create();
        write.FromCollection([Of(RowKind.Insert, 1, "Ada"), Of(RowKind.UpdateBefore, 1, "Ada"), Of(RowKind.UpdateAfter, 1, "Ann"), Of(RowKind.Delete, 1, "Ann")])
            .ToLog(temp.Log, "users", MessageSerializers.UpsertRows(RowFormats.Json.CreateSerializer(schema), RowFormats.Json.CreateSerializer(key)));
        await write.ExecuteAsync().OrTimeout();

        var stored = temp.ReadAll("users").Select(s => (Key: Encoding.UTF8.GetString(s.Record.Key!), Value: s.Record.Value is { } v ? Encoding.UTF8.GetString(v) : null)).ToList();
        stored.ShouldBe([("""{"id":1}""", """{"id":1,"name":"Ada"}"""), ("""{"id":1}""", """{"id":1,"name":"Ann"}"""), ("""{"id":1}""", null)]);

        var read = StreamEnvironment.Create();
        var back = read.FromLog(temp.Log, "users", MessageDeserializers.UpsertRows(RowFormats.Json.CreateDeserializer(schema), RowFormats.Json.CreateDeserializer(key)),
            new LogSourceOptions { Bounded = true }).Map(static r => r.ToString()).Collect();
        await read.ExecuteAsync().OrTimeout();
        back.Items.ShouldBe(["+U[1, Ada]", "+U[1, Ann]", "-D[1, null]"]);
    }

    [Fact]
    public async Task ToLog_RetractionIntoInsertOnlyRows_FailsTheJobNamingTheRow()
    {
        using var temp = new TempLog();
        temp.CreateTopic("out", 1);
        var delete = Row.Of(s_schema, "u1", null, null);
        delete.Kind = RowKind.Delete;
        var env = StreamEnvironment.Create();
        env.FromCollection([delete]).ToLog(temp.Log, "out", MessageSerializers.Rows(RowFormats.Json.CreateSerializer(s_schema)));

        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync().OrTimeout());

        error.Message.ShouldBe("Operator 'LogSink(out)' (subtask 1/1) failed writing a batch on record -D[u1, null, null]: The sink received the retraction -D[u1, null, null], but it writes rows insert-only (json, csv and raw carry no row kind) and would write it as new data; write the changelog as upserts by key (connector 'upsert-kafka', MessageSerializers.UpsertRows), or keep the stream append-only.");
        temp.ReadAll("out").ShouldBeEmpty();
    }

    [Fact]
    public void Rows_KeyFieldNotInValueSchema_Throws()
    {
        var e = Should.Throw<ArgumentException>(() =>
            MessageSerializers.Rows(RowFormats.Json.CreateSerializer(s_schema), RowFormats.Raw.CreateSerializer(Schema.Parse("user STRING"))));

        e.Message.ShouldStartWith("Key field 'user VARCHAR' is not a field of the value schema");
    }

    [Fact]
    public async Task ToLog_SerializerWithHeaders_StoresThem()
    {
        using var temp = new TempLog();
        temp.CreateTopic("out", 1);
        var env = StreamEnvironment.Create();
        env.FromCollection(["a"]).ToLog(temp.Log, "out", new TracedStrings());
        await env.ExecuteAsync().OrTimeout();

        var headers = temp.ReadAll("out").Single().Record.Headers;
        headers.Select(h => h.Key).ShouldBe(["trace"]);
        headers[0].Value!.Value.ToArray().ShouldBe("t-a"u8.ToArray());
    }

    private sealed class TracedStrings : IMessageSerializer<string>
    {
        public bool TryWriteKey(string value, IBufferWriter<byte> key) => false;

        public bool TryWriteValue(string value, IBufferWriter<byte> destination)
        {
            destination.Write(Encoding.UTF8.GetBytes(value));
            return true;
        }

        public IReadOnlyList<MessageHeader>? GetHeaders(string value) => [new MessageHeader("trace", Encoding.UTF8.GetBytes("t-" + value))];
    }
}
