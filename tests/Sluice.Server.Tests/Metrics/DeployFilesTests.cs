using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sluice.Server.Tests.Metrics;

/// <summary>The shipped monitoring files: deploy/prometheus (alert rules, their unit tests) and deploy/grafana (the dashboard).</summary>
public sealed partial class DeployFilesTests
{
    private static readonly string s_deploy = Path.Combine(RepositoryRoot(), "deploy");

    [Fact]
    public async Task AlertRules_PromtoolCheckRules_Passes()
    {
        var (exit, output) = await Promtool.RunAsync(["check", "rules", "alerts.yml"], workingDirectory: Path.Combine(s_deploy, "prometheus"));

        exit.ShouldBe(0, output);
        output.ShouldContain("SUCCESS: 8 rules found");
    }

    [Fact]
    public async Task AlertRules_PromtoolTestRules_EveryAlertFiresOnItsHandWrittenSeries()
    {
        var (exit, output) = await Promtool.RunAsync(["test", "rules", "alerts.test.yml"], workingDirectory: Path.Combine(s_deploy, "prometheus"));

        exit.ShouldBe(0, output);
    }

    [Fact]
    public void AlertRules_EveryAlertHasAUnitTest()
    {
        var rules = File.ReadAllText(Path.Combine(s_deploy, "prometheus", "alerts.yml"));
        var tests = File.ReadAllText(Path.Combine(s_deploy, "prometheus", "alerts.test.yml"));

        var alerts = AlertName().Matches(rules).Select(m => m.Groups[1].Value).ToList();
        alerts.ShouldBe([
            "SluiceLogConsumerLagGrowing", "SluiceKafkaConsumerLagGrowing", "SluiceCheckpointsFailing", "SluiceCheckpointsStalled",
            "SluiceDeadLetterRate", "SluiceFreshnessSlaBreach", "SluiceWatermarkLagHigh", "SluiceJobRestartLoop",
        ]);
        foreach (var alert in alerts)
        {
            tests.ShouldContain($"alertname: {alert}\n        exp_alerts:\n          - exp_labels", customMessage: $"{alert} has no test where it fires");
        }
    }

    [Fact]
    public void AlertRules_Expressions_NameOnlyExportedMetrics()
    {
        var rules = File.ReadAllText(Path.Combine(s_deploy, "prometheus", "alerts.yml"));

        var unknown = SeriesName().Matches(rules).Select(m => m.Value).Where(s => !ExportedMetrics.IsExported(s)).Distinct().ToList();

        unknown.ShouldBeEmpty();
    }

    [Fact]
    public void GrafanaDashboard_EveryExpression_NamesOnlyExportedMetrics()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(s_deploy, "grafana", "sluice.json")));
        var expressions = new List<string>();
        CollectExpressions(dashboard.RootElement, expressions);

        expressions.Count.ShouldBeGreaterThanOrEqualTo(20);
        var named = expressions.SelectMany(e => SeriesName().Matches(e).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
        named.Where(s => !ExportedMetrics.IsExported(s)).ShouldBeEmpty();
        // The dashboard covers throughput, latency, lag, checkpoints, backpressure and dead letters.
        string[] covered =
        [
            "sluice_operator_records_out_total", "sluice_latency_event_to_commit_seconds_bucket", "sluice_log_consumer_lag",
            "sluice_kafka_consumer_lag", "sluice_checkpoint_duration_seconds_bucket", "sluice_task_backpressured_time_seconds_total",
            "sluice_records_dropped_total",
        ];
        covered.Where(s => !named.Contains(s)).ShouldBeEmpty();
    }

    [Fact]
    public void GrafanaDashboard_Panels_UseTheDataSourceVariable()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(s_deploy, "grafana", "sluice.json")));

        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row").ToList();

        panels.ShouldNotBeEmpty();
        panels.ShouldAllBe(p => p.GetProperty("datasource").GetProperty("uid").GetString() == "${datasource}");
    }

    private static void CollectExpressions(JsonElement element, List<string> expressions)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name is "expr" or "definition" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        expressions.Add(property.Value.GetString()!);
                    }
                    CollectExpressions(property.Value, expressions);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    CollectExpressions(item, expressions);
                }
                break;
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Sluice.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No Sluice.slnx above {AppContext.BaseDirectory}: the tests run from the repository's build output.");
    }

    [GeneratedRegex(@"- alert: (\w+)")]
    private static partial Regex AlertName();

    [GeneratedRegex(@"\bsluice_[a-z0-9_]+")]
    private static partial Regex SeriesName();
}
