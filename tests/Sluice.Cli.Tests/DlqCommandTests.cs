using System.Text;
using System.Text.Json;
using Sluice.Formats;
using Sluice.Log;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice dlq list|show|stats|replay</c> against an embedded log holding dead letters in the envelope.</summary>
public sealed class DlqCommandTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "sluice-dlq-" + Guid.NewGuid().ToString("N"));

    public DlqCommandTests()
    {
        using var log = PartitionedLog.Open(_dataDir);
        log.CreateTopic("orders", new TopicConfig { Partitions = 2 });
        log.CreateTopic("orders.dlq", new TopicConfig { Partitions = 1 });
        Write(log, Letter(0, DeadLetterKind.Parse, "line 1: not JSON", null));
        Write(log, Letter(1, DeadLetterKind.Parse, "line 2: not JSON", null));
        Write(log, Letter(2, DeadLetterKind.Rule, "Rule 'amount_range': field 'amount' is -5, below 0.", "amount_range"));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public void ListShowStats_ThreeLetters_CountByKindRuleReasonAndFilter()
    {
        var list = Dlq("list");
        list.Stdout.ShouldContain("orders.dlq");
        list.Stdout.ShouldContain("parse 2, rule 1");
        list.Stdout.ShouldContain("amount_range 1");
        list.Stdout.ShouldContain("2 × line #: not JSON");

        var show = Dlq("show", "orders", "--kind", "parse", "--json");
        var records = show.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        records.Select(r => (r.GetProperty("offset").GetInt64(), r.GetProperty("kind").GetString(), r.GetProperty("payload").GetString())).ShouldBe([(0L, "parse", "{\"id\":0}"), (1L, "parse", "{\"id\":1}")]);
        records[0].GetProperty("originTopic").GetString().ShouldBe("orders");
        records[0].GetProperty("origin").GetString().ShouldBe("orders-job");

        var table = Dlq("show", "orders.dlq", "--rule", "amount_range");
        table.Stdout.ShouldContain("0:2");
        table.Stdout.ShouldNotContain("0:1 ");

        var window = Dlq("show", "orders", "--from", "1970-01-01T00:00:00.002Z", "--to", "3", "--json");
        window.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("offset").GetInt64()).ShouldBe([1L], "timestamps 1, 2, 3: [2 ms, 3 ms) holds the second");

        using var stats = JsonDocument.Parse(Dlq("stats", "orders", "--json").Stdout);
        stats.RootElement.GetProperty("records").GetInt64().ShouldBe(3);
        stats.RootElement.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("name").GetString()).ShouldBe(["amount_range"]);
        Dlq("stats", "orders").Stdout.ShouldContain("1970-01-01T00:00Z");
    }

    [Fact]
    public void Replay_DryRunThenTwice_AppendsEachSelectedRecordOnce()
    {
        var dry = Dlq("replay", "orders", "--kind", "parse", "--dry-run");
        dry.Stdout.ShouldContain("orders.dlq 0:0: would append to orders partition");
        dry.Stdout.ShouldContain("Dry run: would append 2 records; 0 records already replayed; nothing was appended.");
        Target().ShouldBeEmpty();

        Dlq("replay", "orders", "--kind", "parse").Stdout.ShouldContain("Appended 2 records; 0 records already replayed, skipped.");
        var again = Dlq("replay", "orders", "--offsets", "0:0,0:1,0:2");

        again.Stdout.ShouldContain("orders.dlq 0:0: already replayed");
        again.Stdout.ShouldContain("Appended 1 record; 2 records already replayed, skipped.");
        Target().Order(StringComparer.Ordinal).ShouldBe(["orders.dlq/0/0", "orders.dlq/0/1", "orders.dlq/0/2"]);
    }

    [Fact]
    public void Errors_UnknownTopicOffsetOrNoSelection_OneSentenceNoStackTrace()
    {
        var topic = CliProcess.Run(null, "dlq", "show", "nope", "--data-dir", _dataDir);
        topic.ExitCode.ShouldBe(1);
        topic.Stderr.ShouldContain("'nope.dlq'");
        topic.Stderr.ShouldNotContain("   at ");

        var offset = CliProcess.Run(null, "dlq", "replay", "orders", "--offsets", "0:9", "--data-dir", _dataDir);
        offset.ExitCode.ShouldBe(1);
        offset.Stderr.ShouldContain("partition 0 offset 9");
        offset.Stderr.ShouldNotContain("   at ");

        var nothing = CliProcess.Run(null, "dlq", "replay", "orders", "--data-dir", _dataDir);
        nothing.ExitCode.ShouldBe(2);
        nothing.Stderr.ShouldContain("Say what to replay");
        Target().ShouldBeEmpty();
    }

    private CliProcess.Result Dlq(params string[] args)
    {
        var result = CliProcess.Run(null, [.. args.Prepend("dlq"), "--data-dir", _dataDir]);
        result.ExitCode.ShouldBe(0, result.Stderr);
        return result;
    }

    /// <summary>The replay markers of the records in <c>orders</c>.</summary>
    private List<string> Target()
    {
        using var log = PartitionedLog.Open(_dataDir, new LogOptions { ReadOnly = true, MaintenanceInterval = null });
        var markers = new List<string>();
        foreach (var partition in log.GetTopic("orders").Partitions)
        {
            if (partition.EndOffset == partition.LogStartOffset)
            {
                continue;
            }
            using var fetch = partition.Fetch(partition.LogStartOffset, new FetchOptions());
            foreach (var record in fetch.ToList())
            {
                markers.Add(Encoding.UTF8.GetString(record.Headers.Single(h => h.Key == DeadLetterEnvelope.ReplayOfHeader).Value!.Value.Span));
            }
        }
        return markers;
    }

    private static DeadLetter Letter(int id, DeadLetterKind kind, string reason, string? rule) =>
        new DeadLetter("log:orders", $"orders/0/{id}", reason, $"{{\"id\":{id}}}")
        {
            Kind = kind,
            Rule = rule,
            Job = "orders-job",
            Origin = new RecordOrigin("orders", 0, id),
            OriginalKey = Encoding.UTF8.GetBytes($"key-{id}"),
        };

    private static void Write(PartitionedLog log, DeadLetter letter)
    {
        var headers = DeadLetterEnvelope.Headers(letter).Select(h => new LogHeader(h.Name, h.Value)).ToArray();
        var partition = log.GetPartition("orders.dlq", 0);
        partition.Append([ProducerRecord.FromArrays(letter.OriginalKey, DeadLetterEnvelope.Value(letter), partition.EndOffset + 1, headers)]);
    }
}
