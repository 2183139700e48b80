using System.Text.Json;

namespace Sluice.Bench.Cli.Tests;

/// <summary><c>sluice bench score</c>: its report, printed by the comparison benches' shared <c>CaseReport</c>.</summary>
public sealed class ScoreBenchCommandTests
{
    [Fact]
    public void BenchScore_SmallRun_ReportsBothCasesAndTheRatioOfTheirSeconds()
    {
        var result = CliProcess.Run(null, "bench", "score", "--records", "20000", "--runs", "1", "--json");

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var cases = json.RootElement.GetProperty("cases").EnumerateArray()
            .ToDictionary(c => c.GetProperty("case").GetString()!, c => (Records: c.GetProperty("records").GetInt64(), Seconds: c.GetProperty("seconds").GetDouble(), PerSecond: c.GetProperty("recordsPerSecond").GetDouble()));
        cases.Keys.ShouldBe(["onnxruntime direct", "sluice job"], ignoreOrder: true);
        foreach (var (name, c) in cases)
        {
            c.Records.ShouldBe(20_000, name);
            c.PerSecond.ShouldBe(c.Records / c.Seconds, c.PerSecond * 1e-9, name);
        }
        json.RootElement.GetProperty("ratio").GetDouble().ShouldBe(cases["onnxruntime direct"].Seconds / cases["sluice job"].Seconds, 1e-9);
    }
}
