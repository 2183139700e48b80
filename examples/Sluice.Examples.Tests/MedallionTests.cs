using Sluice.Connectors.Log;
using Sluice.Examples.Medallion;
using Sluice.Log;

namespace Sluice.Examples.Tests;

/// <summary>
/// The medallion example end to end: the layers add up exactly (bronze = silver + DLQ + dropped), every dead letter
/// names its rule and field, gold equals an aggregate computed from the generator's truth, and after the parser fix a
/// replay of the quarantined records brings silver exactly to the clean total — a second replay adds nothing.
/// </summary>
public sealed class MedallionTests : IDisposable
{
    private const int Lines = 4000;
    private const int Seed = 7;
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sluice-medallion-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private MedallionPaths Paths => new(_directory);

    private async Task<MedallionTruth> Run(int parserVersion) =>
        (await MedallionExample.RunAsync(new MedallionOptions(Lines, Seed, _directory, parserVersion)).WaitAsync(s_timeout)).Truth;

    /// <summary>Gold computed from the generator's orders, independently of the pipeline.</summary>
    private static List<CountryRevenue> ExpectedGold(IEnumerable<GeneratedOrder> orders) =>
        [.. orders.GroupBy(o => o.Country).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new CountryRevenue(g.Key, g.Count(), g.Sum(o => o.AmountCents)))];

    private static readonly OrderFlaw[] s_quarantined =
        [OrderFlaw.Malformed, OrderFlaw.AmountAsString, OrderFlaw.MissingCustomer, OrderFlaw.NegativeAmount, OrderFlaw.UnknownCountry, OrderFlaw.BadOrderId];

    [Fact]
    public async Task Run_KnownMixOfBadRecords_LayersAddUpExactlyAndGoldMatchesTheTruth()
    {
        using var failures = new RuleMetricCounter("operator", "silver_rules");

        var truth = await Run(parserVersion: 1);

        var layers = MedallionExample.ReadLayers(Paths);
        var dropped = failures.ByRule.GetValueOrDefault("not_a_test_order");
        layers.Bronze.ShouldBe(Lines);
        layers.Silver.ShouldBe(truth.Clean.Count);
        layers.DeadLetters.Records.ShouldBe(s_quarantined.Sum(truth.Count));
        layers.Duplicates.ShouldBe(truth.Count(OrderFlaw.Duplicate));
        dropped.ShouldBe(truth.Count(OrderFlaw.TestOrder));
        (layers.Silver + layers.DeadLetters.Records + layers.Duplicates + dropped).ShouldBe(Lines, "in = silver + DLQ + dropped (dedup and the DROP rule), exactly");
        layers.Gold.ShouldBe(ExpectedGold(truth.Clean));
        layers.DeadLetters.Rules.OrderBy(r => r.Name, StringComparer.Ordinal).Select(r => (r.Name, r.Count)).ShouldBe(
        [
            ("amount_range", truth.Count(OrderFlaw.NegativeAmount)),
            ("country_known", truth.Count(OrderFlaw.UnknownCountry)),
            ("customer_present", truth.Count(OrderFlaw.MissingCustomer)),
            ("order_id_format", truth.Count(OrderFlaw.BadOrderId)),
        ]);

        using var log = PartitionedLog.Open(Paths.Log);
        var letters = new DeadLetterQueue(log).Select(MedallionInput.Topic, DeadLetterFilter.All, 0, DeadLetterQueue.MaxLimit, null, out var more);
        more.ShouldBeFalse();
        var lines = truth.Lines;
        foreach (var letter in letters)
        {
            letter.OriginTopic.ShouldBe(MedallionInput.Topic);
            letter.OriginPartition.ShouldBe(0);
            letter.Payload.ShouldBe(lines[(int)letter.OriginOffset!.Value].Line, "the letter holds the original line at its origin offset");
            if (letter.Kind == "rule")
            {
                letter.Rule.ShouldNotBeNull();
                letter.Field.ShouldNotBeNull();
                letter.Reason.ShouldContain($"rule '{letter.Rule}'");
                letter.Reason.ShouldContain($"field '{letter.Field}'");
            }
            else if (letter.Kind == "schema")
            {
                (letter.Field, lines[(int)letter.OriginOffset.Value].Flaw).ShouldBe(("amount", OrderFlaw.AmountAsString));
            }
            else
            {
                (letter.Kind, lines[(int)letter.OriginOffset.Value].Flaw).ShouldBe(("parse", OrderFlaw.Malformed));
            }
        }
    }

    [Fact]
    public async Task Replay_AfterTheParserFix_SilverReachesTheCleanTotal_SecondReplayAddsNothing()
    {
        var truth = await Run(parserVersion: 1);
        var schemaLetters = new DeadLetterFilter { Kind = DeadLetterKind.Schema };

        // The fix is parser version 2; the records it now reads are the quarantined schema failures: replay those.
        ReplayResult first;
        using (var log = PartitionedLog.Open(Paths.Log))
        {
            var queue = new DeadLetterQueue(log);
            var positions = queue.Select(MedallionInput.Topic, schemaLetters, 0, DeadLetterQueue.MaxLimit, null, out _).Select(l => new DeadLetterPosition(l.Partition, l.Offset)).ToList();
            first = queue.Replay(MedallionInput.Topic, positions);
        }
        await Run(parserVersion: 2);
        var fixedLayers = MedallionExample.ReadLayers(Paths);

        ReplayResult second;
        using (var log = PartitionedLog.Open(Paths.Log))
        {
            var queue = new DeadLetterQueue(log);
            var positions = queue.Select(MedallionInput.Topic, schemaLetters, 0, DeadLetterQueue.MaxLimit, null, out _).Select(l => new DeadLetterPosition(l.Partition, l.Offset)).ToList();
            second = queue.Replay(MedallionInput.Topic, positions);
        }
        await Run(parserVersion: 2);
        var again = MedallionExample.ReadLayers(Paths);

        (first.Appended, first.AlreadyReplayed).ShouldBe((truth.Fixable.Count, 0));
        fixedLayers.Silver.ShouldBe(truth.Clean.Count + truth.Fixable.Count, "silver is exactly the clean total once the fixed parser read the replayed records");
        fixedLayers.Gold.ShouldBe(ExpectedGold(truth.Clean.Concat(truth.Fixable)));
        fixedLayers.Bronze.ShouldBe(Lines + truth.Fixable.Count, "bronze keeps every record, the replayed copies included");
        fixedLayers.DeadLetters.Records.ShouldBe(s_quarantined.Sum(truth.Count), "a replay leaves the letters in the DLQ, and the fixed parser makes no new ones");
        (second.Appended, second.AlreadyReplayed).ShouldBe((0, truth.Fixable.Count));
        (again.Silver, again.Bronze).ShouldBe((fixedLayers.Silver, fixedLayers.Bronze));
        again.Gold.ShouldBe(fixedLayers.Gold);
    }
}
