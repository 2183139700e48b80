using System.Text.Json;
using Sluice.Formats;
using Sluice.Log;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice quality report</c> on an embedded log (the dead letters only) and its validation.</summary>
public sealed class QualityCommandTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "sluice-quality-" + Guid.NewGuid().ToString("N"));

    public QualityCommandTests()
    {
        using var log = PartitionedLog.Open(_dataDir);
        log.CreateTopic("orders.dlq", new TopicConfig { Partitions = 1 });
        // Times 1 s, 2 s (minute 0) and 61 s (minute 1); one letter of another job and one parse failure in between.
        Write(log, Letter(0, "orders-job", DeadLetterKind.Rule, "amount_range"), 1_000);
        Write(log, Letter(1, "other-job", DeadLetterKind.Rule, "amount_range"), 1_500);
        Write(log, Letter(2, "orders-job", DeadLetterKind.Parse, null), 1_700);
        Write(log, Letter(3, "orders-job", DeadLetterKind.Rule, "amount_range"), 2_000);
        Write(log, Letter(4, "orders-job", DeadLetterKind.Rule, "status_known"), 61_000);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public void Report_LocalLog_CountsTheJobsRuleDeadLettersPerMinuteWithTheFirstExamples()
    {
        var result = CliProcess.Run(TimeSpan.FromSeconds(120), null, ["quality", "report", "--job", "orders-job", "--data-dir", _dataDir, "--examples", "1", "--json"]);
        result.ExitCode.ShouldBe(0, result.Stderr);
        using var report = JsonDocument.Parse(result.Stdout);
        var root = report.RootElement;
        root.GetProperty("counts").GetString().ShouldBe("dead-letters");
        root.GetProperty("jobId").ValueKind.ShouldBe(JsonValueKind.Null);
        var rules = root.GetProperty("rules").EnumerateArray().ToList();
        rules.Select(r => (r.GetProperty("rule").GetString(), r.GetProperty("failed").GetInt64(), r.GetProperty("action").GetString()))
            .ShouldBe([("amount_range", 2L, "dead_letter"), ("status_known", 1L, "dead_letter")]);
        rules[0].GetProperty("passed").ValueKind.ShouldBe(JsonValueKind.Null, "the log knows no passes");
        rules[0].GetProperty("examples").EnumerateArray().Select(e => e.GetProperty("offset").GetInt64()).ShouldBe([0L]);
        rules[0].GetProperty("windows").EnumerateArray().Select(w => (w.GetProperty("startMs").GetInt64(), w.GetProperty("failed").GetInt64())).ShouldBe([(0L, 2L)]);
        rules[1].GetProperty("windows").EnumerateArray().Select(w => (w.GetProperty("startMs").GetInt64(), w.GetProperty("failed").GetInt64())).ShouldBe([(60_000L, 1L)]);

        var table = CliProcess.Run(TimeSpan.FromSeconds(120), null, ["quality", "report", "--job", "orders-job", "--data-dir", _dataDir]);
        table.ExitCode.ShouldBe(0, table.Stderr);
        table.Stdout.ShouldContain("add --server");
        table.Stdout.ShouldContain("First failing records of rule 'amount_range' (orders):");
        table.Stdout.ShouldContain("0:3 (meant for orders)");
    }

    [Fact]
    public void Report_UnknownJobAndBadExamples_SayWhat()
    {
        var none = CliProcess.Run(TimeSpan.FromSeconds(120), null, ["quality", "report", "--job", "nobody", "--data-dir", _dataDir]);
        none.ExitCode.ShouldBe(0, none.Stderr);
        none.Stdout.ShouldContain("Job 'nobody' dead-lettered no rule failures in this log.");

        var bad = CliProcess.Run(TimeSpan.FromSeconds(120), null, ["quality", "report", "--job", "orders-job", "--data-dir", _dataDir, "--examples", "101"]);
        bad.ExitCode.ShouldNotBe(0);
        bad.Stderr.ShouldContain("--examples must be 0-100.");
    }

    private static DeadLetter Letter(int id, string job, DeadLetterKind kind, string? rule) =>
        new("orders", $"input record {id} of subtask 0", $"rule '{rule}' failed on field 'amount': value -{id}", $"{{\"id\":{id}}}", "amount")
        {
            Kind = kind,
            Rule = rule,
            Operator = "orders",
            Job = job,
            Origin = new RecordOrigin("orders", 0, id),
        };

    private static void Write(PartitionedLog log, DeadLetter letter, long timeMs)
    {
        var headers = DeadLetterEnvelope.Headers(letter).Select(h => new LogHeader(h.Name, h.Value)).ToArray();
        var partition = log.GetPartition("orders.dlq", 0);
        partition.Append([ProducerRecord.FromArrays(letter.OriginalKey, DeadLetterEnvelope.Value(letter), timeMs, headers)]);
    }
}
