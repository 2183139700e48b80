using Sluice.Examples.Fraud;

namespace Sluice.Examples.Tests;

public class FraudScenarioTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task FraudRules_ConnectedTransactionsAndLogins_RaiseExpectedAlerts(int parallelism)
    {
        var random = new Random(11);
        var start = 1_763_700_000_000L;
        var transactions = Enumerable.Range(0, 3_000)
            .Select(i => new Transaction($"t{i}", $"u{random.Next(20)}", Math.Round(random.NextDouble() * 900, 2), start + (i * 60_000L)))
            .ToList();
        string[] locations = ["Berlin", "Lisbon", "Austin"];
        var logins = Enumerable.Range(0, 600)
            .Select(i => new Login($"u{random.Next(20)}", locations[random.Next(10) < 8 ? 0 : random.Next(3)], start + (i * 300_000L)))
            .ToList();

        var env = StreamEnvironment.Create(new JobOptions { Parallelism = parallelism, BatchSize = 64 });
        var alerts = FraudDetection.Build(
            env.FromCollection(transactions, WatermarkStrategy<Transaction>.ForMonotonousTimestamps().WithTimestampAssigner(t => t.Ts)),
            env.FromCollection(logins, WatermarkStrategy<Login>.ForMonotonousTimestamps().WithTimestampAssigner(l => l.Ts))).Collect();
        await env.ExecuteAsync();

        var expected = new List<FraudAlert>();
        foreach (var userDay in transactions.GroupBy(t => (t.UserId, Day: t.Ts / 86_400_000)))
        {
            var sum = 0.0;
            foreach (var t in userDay)
            {
                sum += t.Amount;
                if (sum > FraudDetection.DailyLimit)
                {
                    expected.Add(new FraudAlert(t.UserId, "daily-spend", $"{sum:F2} spent on day {userDay.Key.Day} (limit {FraudDetection.DailyLimit})", t.Ts));
                    break;
                }
            }
        }
        foreach (var user in logins.GroupBy(l => l.UserId))
        {
            string? last = null;
            foreach (var login in user)
            {
                if (last is not null && last != login.Location)
                {
                    expected.Add(new FraudAlert(login.UserId, "location-change", $"{last} -> {login.Location}", login.Ts));
                }
                last = login.Location;
            }
        }
        expected.Count(a => a.Rule == "daily-spend").ShouldBeGreaterThan(5);
        expected.Count(a => a.Rule == "location-change").ShouldBeGreaterThan(5);
        alerts.Items.OrderBy(a => a.UserId).ThenBy(a => a.Ts).ThenBy(a => a.Rule)
            .ShouldBe(expected.OrderBy(a => a.UserId).ThenBy(a => a.Ts).ThenBy(a => a.Rule));
    }
}
