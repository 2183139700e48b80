using System.Buffers;
using System.Text;

namespace Sluice.Formats.Tests;

/// <summary>Pins the dead-letter envelope's layout (version 2) and checks that layout 1, as HTTP ingest wrote it, still reads.</summary>
public class DeadLetterEnvelopeTests
{
    private static readonly DeadLetter s_full = new("kafka:orders", "orders/2/41", "Rule 'amount_positive' failed: field 'amount' is -5, expected > 0.", "{\"id\":7,\"amount\":-5}", "amount")
    {
        Kind = DeadLetterKind.Rule,
        Rule = "amount_positive",
        Operator = "expect-orders",
        Job = "orders-silver",
        Origin = new RecordOrigin("orders", 2, 41),
        EventTime = 1_700_000_000_123,
        IngestTime = 1_700_000_000_456,
        Attempt = 2,
        Original = "{\"id\":7,\"amount\":-5}"u8.ToArray(),
        OriginalKey = "7"u8.ToArray(),
    };

    [Fact]
    public void Version2_Headers_ArePinned()
    {
        // Golden: written by hand from the layout documented on DeadLetterEnvelope; a change here is a format change.
        (string Name, string Value)[] expected =
        [
            ("sluice.dlq.version", "2"),
            ("sluice.dlq.reason", "Rule 'amount_positive' failed: field 'amount' is -5, expected > 0."),
            ("sluice.dlq.kind", "rule"),
            ("sluice.dlq.origin-topic", "orders"),
            ("sluice.dlq.origin-partition", "2"),
            ("sluice.dlq.origin-offset", "41"),
            ("sluice.dlq.origin", "orders-silver"),
            ("sluice.dlq.location", "orders/2/41"),
            ("sluice.dlq.source", "kafka:orders"),
            ("sluice.dlq.operator", "expect-orders"),
            ("sluice.dlq.rule", "amount_positive"),
            ("sluice.dlq.field", "amount"),
            ("sluice.dlq.event-time", "1700000000123"),
            ("sluice.dlq.ingest-time", "1700000000456"),
            ("sluice.dlq.attempt", "2"),
        ];

        DeadLetterEnvelope.Headers(s_full).Select(h => (h.Name, Encoding.UTF8.GetString(h.Value!))).ShouldBe(expected);
    }

    [Fact]
    public void Serializer_WritesTheOriginalKeyAndValue_AndRoundTrips()
    {
        var serializer = DeadLetterEnvelope.Serializer();
        var key = new ArrayBufferWriter<byte>();
        var value = new ArrayBufferWriter<byte>();

        serializer.TryWriteKey(s_full, key).ShouldBeTrue();
        serializer.TryWriteValue(s_full, value).ShouldBeTrue();
        key.WrittenSpan.ToArray().ShouldBe("7"u8.ToArray());
        value.WrittenSpan.ToArray().ShouldBe("{\"id\":7,\"amount\":-5}"u8.ToArray());

        var headers = serializer.GetHeaders(s_full)!;
        DeadLetterEnvelope.Read(View(key.WrittenSpan.ToArray(), value.WrittenSpan.ToArray(), headers, timestampMs: 99), out var read, out var error).ShouldBeTrue(error?.Message);
        read.ShouldBe(s_full with { Original = read!.Original, OriginalKey = read.OriginalKey });
        read.Original.ShouldBe(s_full.Original);
        read.OriginalKey.ShouldBe(s_full.OriginalKey);
    }

    [Fact]
    public void Serializer_FillsJobAndOriginTopic_OnlyWhereTheLetterHasNone()
    {
        var bare = new DeadLetter("orders.ndjson", "line 3", "Malformed JSON.", "{oops");
        var headers = DeadLetterEnvelope.Serializer(job: "job-a", originTopic: "orders").GetHeaders(bare)!;

        Header(headers, "sluice.dlq.origin").ShouldBe("job-a");
        Header(headers, "sluice.dlq.origin-topic").ShouldBe("orders");
        headers.ShouldNotContain(h => h.Name == "sluice.dlq.origin-partition");
        headers.ShouldNotContain(h => h.Name == "sluice.dlq.event-time");

        var own = DeadLetterEnvelope.Serializer(job: "job-a", originTopic: "orders").GetHeaders(s_full)!;
        Header(own, "sluice.dlq.origin").ShouldBe("orders-silver");
        Header(own, "sluice.dlq.origin-partition").ShouldBe("2");
    }

    [Fact]
    public void Version1_AsHttpIngestWroteIt_Reads()
    {
        MessageHeader[] v1 =
        [
            new("sluice.dlq.version", "1"u8.ToArray()),
            new("sluice.dlq.reason", "line 3: field 'id' is missing."u8.ToArray()),
            new("sluice.dlq.origin-topic", "clicks"u8.ToArray()),
            new("sluice.dlq.origin", "ingest"u8.ToArray()),
            new("sluice.dlq.location", "line 3"u8.ToArray()),
        ];

        DeadLetterEnvelope.Read(View(null, "{\"x\":1}"u8.ToArray(), v1, timestampMs: 1_234), out var letter, out var error).ShouldBeTrue(error?.Message);

        letter!.Kind.ShouldBe(DeadLetterKind.Parse);
        (letter.Source, letter.Position, letter.Reason, letter.Payload, letter.FieldPath).ShouldBe(("ingest", "line 3", "line 3: field 'id' is missing.", "{\"x\":1}", (string?)null));
        letter.Job.ShouldBe("ingest");
        letter.Origin.ShouldBe(new RecordOrigin("clicks"));
        letter.IngestTime.ShouldBe(1_234);
        letter.Attempt.ShouldBe(1);
        letter.OriginalKey.ShouldBeNull();
    }

    [Theory]
    [InlineData(null, "is not a dead letter")]
    [InlineData("x", "is not a dead letter")]
    [InlineData("3", "layout 3")]
    [InlineData("0", "layout 0")]
    public void UnknownLayouts_AreErrorsNamingTheMessage(string? version, string expected)
    {
        MessageHeader[] headers = version is null ? [] : [new("sluice.dlq.version", Encoding.UTF8.GetBytes(version))];

        DeadLetterEnvelope.Read(View(null, "v"u8.ToArray(), headers, timestampMs: 0), out _, out var error).ShouldBeFalse();

        error!.Message.ShouldContain(expected);
        error.Message.ShouldContain("orders.dlq/0/9");
    }

    [Fact]
    public void UnknownKind_IsAnError()
    {
        MessageHeader[] headers = [new("sluice.dlq.version", "2"u8.ToArray()), new("sluice.dlq.kind", "cosmic-ray"u8.ToArray())];

        DeadLetterEnvelope.Read(View(null, "v"u8.ToArray(), headers, timestampMs: 0), out _, out var error).ShouldBeFalse();

        error!.Message.ShouldContain("sluice.dlq.kind");
    }

    [Fact]
    public void EveryKind_RoundTripsThroughItsName()
    {
        foreach (var kind in Enum.GetValues<DeadLetterKind>())
        {
            DeadLetterEnvelope.TryKind(DeadLetterEnvelope.KindName(kind), out var back).ShouldBeTrue();
            back.ShouldBe(kind);
        }
    }

    [Fact]
    public void DeadLetterTopics_AreNamedSourceDotDlq()
    {
        DeadLetters.TopicFor("orders").ShouldBe("orders.dlq");
        DeadLetters.IsDeadLetterTopic("orders.dlq").ShouldBeTrue();
        DeadLetters.IsDeadLetterTopic(".dlq").ShouldBeFalse();
        DeadLetters.IsDeadLetterTopic("orders").ShouldBeFalse();
    }

    private static string? Header(IReadOnlyList<MessageHeader> headers, string name) =>
        headers.LastOrDefault(h => h.Name == name) is { Value: { } v } ? Encoding.UTF8.GetString(v) : null;

    private static MessageView View(byte[]? key, byte[] value, IReadOnlyList<MessageHeader> headers, long timestampMs) =>
        new("orders.dlq", 0, 9, timestampMs, MessageTimestampType.CreateTime, key ?? default, key is not null, value, true,
            ListHeaders.Instance, default, headers);

    /// <summary>Headers kept as a list (the state object), as a test's connector would.</summary>
    private sealed class ListHeaders : IMessageHeaderAccessor
    {
        public static readonly ListHeaders Instance = new();

        public int Count(ReadOnlySpan<byte> encoded, object? state) => ((IReadOnlyList<MessageHeader>)state!).Count;

        public bool TryGet(ReadOnlySpan<byte> encoded, object? state, string name, out ReadOnlySpan<byte> value)
        {
            var header = ((IReadOnlyList<MessageHeader>)state!).LastOrDefault(h => h.Name == name);
            value = header?.Value;
            return header is not null;
        }

        public IReadOnlyList<MessageHeader> Copy(ReadOnlySpan<byte> encoded, object? state) => (IReadOnlyList<MessageHeader>)state!;
    }
}
