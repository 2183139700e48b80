using Sluice.Checkpoints;
using Sluice.Connectors.DuckDb;
using Sluice.Connectors.Log;
using Sluice.Examples.Clickstream.Demo;
using Sluice.Log;
using Sluice.Quality;
using Sluice.State;

namespace Sluice.Examples.Medallion;

/// <summary>Where the medallion example keeps its data.</summary>
/// <param name="Root">The data directory.</param>
public sealed record MedallionPaths(string Root)
{
    /// <summary>The embedded log: topics <c>orders</c> and <c>orders.dlq</c>.</summary>
    public string Log => Path.Combine(Root, "log");

    /// <summary>The Parquet lake: bronze, <c>bronze_orders</c>.</summary>
    public string Lake => Path.Combine(Root, "lake");

    /// <summary>The DuckDB warehouse: silver <c>silver_orders</c>, <c>silver_duplicates</c>; gold <c>gold_country_revenue</c>.</summary>
    public string Warehouse => Path.Combine(Root, "warehouse.duckdb");

    /// <summary>Checkpoints: a run resumes from the last one (a run after a replay reads only the replayed records).</summary>
    public string Checkpoints => Path.Combine(Root, "checkpoints");
}

/// <summary>
/// The medallion pipeline on topic <c>orders</c>:
/// <b>bronze</b> — every record as it arrived, to the Parquet lake;
/// <b>silver</b> — parsed (<see cref="OrderParser"/>, version 1 or 2), checked by rules (not null, range, accepted
/// values, pattern: DLQ; a test-order rule: DROP), deduplicated by order id; failures quarantined to <c>orders.dlq</c>
/// with the rule and field; upserted into <c>silver_orders</c>;
/// <b>gold</b> — orders and revenue per country, checked again before they are written (a Fail rule: gold never
/// holds a negative revenue), upserted into <c>gold_country_revenue</c>. Every sink is exactly-once under checkpoints.
/// </summary>
public static class MedallionPipeline
{
    /// <summary>The job's name (also the dead letters' job, and the quality metrics' job tag).</summary>
    public const string JobName = "medallion";

    /// <summary>The dead-letter topic.</summary>
    public static string DlqTopic => DeadLetters.TopicFor(MedallionInput.Topic);

    /// <summary>The job's options: one checkpoint a second in <see cref="MedallionPaths.Checkpoints"/>.</summary>
    public static JobOptions JobOptions(MedallionPaths paths, int parallelism)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return new JobOptions
        {
            JobName = JobName,
            Parallelism = parallelism,
            Checkpoints = CheckpointOptions.InDirectory(paths.Checkpoints, TimeSpan.FromSeconds(1)),
        };
    }

    /// <summary>Adds the pipeline to <paramref name="env"/>, reading <see cref="MedallionInput.Topic"/> of <paramref name="log"/> with parser <paramref name="parserVersion"/> (1 or 2).</summary>
    public static void Build(StreamEnvironment env, PartitionedLog log, MedallionPaths paths, int parserVersion)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentOutOfRangeException.ThrowIfLessThan(parserVersion, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parserVersion, 2);
        var raw = env.FromLog(log, MedallionInput.Topic, new DemoLine.Deserializer("log"), new LogSourceOptions { Bounded = true }).Uid("orders-source");

        // Bronze: every record, as it arrived.
        raw.Map(static r => new BronzeOrder(r.Partition, r.Offset, r.TimestampMs, r.Value), "Bronze").Uid("bronze")
            .ToParquetLake(paths.Lake, "bronze_orders", static b => b.Ts).Uid("bronze-lake");

        // Silver: parse, rules, dedup. Parse and rule failures share the one DLQ (orders.dlq), with the original line.
        var parsed = raw.Process(new OrderParser(parserVersion), "Parse").Uid("parse");
        var valid = parsed.Expect(e => e
            .NotNull("customer_present", "customer", static p => p.Order.Customer)
            .Range("amount_range", "amount", static p => p.Order.AmountCents, 0L, 10_000_000L)
            .AcceptedValues("country_known", "country", static p => p.Order.Country, MedallionInput.Countries)
            .Matches("order_id_format", "order_id", static p => p.Order.OrderId, "^o[0-9]+$")
            .Satisfies("not_a_test_order", "amount", static p => p.Order.AmountCents != 0, "amount <> 0", RuleAction.Drop)
            .DeadLetterPayload(static p => p.Line)
            .DeadLetterOrigin(static p => p.Origin), "silver_rules").Uid("silver-rules");
        parsed.GetSideOutput(DeadLetters.Tag).Union(valid.GetSideOutput(DeadLetters.Tag))
            .ToDeadLetterQueue(log, MedallionInput.Topic).Uid("dlq-sink");
        var duplicates = new OutputTag<ParsedOrder>("duplicates");
        var silver = valid.KeyBy(static p => p.Order.OrderId).Deduplicate(TimeSpan.FromDays(7), duplicates, "Dedup").Uid("dedup");
        silver.GetSideOutput(duplicates).Map(static p => new DroppedDuplicate(p.Order.OrderId, p.Origin.Offset), "Duplicates").Uid("duplicates")
            .ToDuckDb(paths.Warehouse, "silver_duplicates").Uid("duplicates-sink");
        var orders = silver.Map(static p => p.Order, "Silver").Uid("silver");
        orders.ToDuckDb(paths.Warehouse, "silver_orders", new DuckDbSinkOptions { Mode = WarehouseWriteMode.Upsert, PrimaryKey = ["order_id"] }).Uid("silver-sink");

        // Gold: per-country totals, checked between the layers before they are written.
        orders.KeyBy(static o => o.Country).Process(new CountryTotals(), "CountryRevenue").Uid("country-revenue")
            .Expect(e => e
                .Range("revenue_non_negative", "revenue_cents", static g => g.RevenueCents, 0L, long.MaxValue, RuleAction.Fail)
                .AcceptedValues("gold_country_known", "country", static g => g.Country, MedallionInput.Countries, RuleAction.Fail), "gold_rules").Uid("gold-rules")
            .ToDuckDb(paths.Warehouse, "gold_country_revenue", new DuckDbSinkOptions { Mode = WarehouseWriteMode.Upsert, PrimaryKey = ["country"] }).Uid("gold-sink");
    }

    /// <summary>Running orders and revenue of a country, in keyed state (checkpointed, so a later run continues the totals).</summary>
    private sealed class CountryTotals : KeyedProcessFunction<string, SilverOrder, CountryRevenue>
    {
        private IValueState<long> _orders = null!;
        private IValueState<long> _revenue = null!;

        public override void Open(IRuntimeContext context)
        {
            _orders = context.State.GetState(new ValueStateDescriptor<long>("orders"));
            _revenue = context.State.GetState(new ValueStateDescriptor<long>("revenue-cents"));
        }

        public override void ProcessElement(SilverOrder value, KeyedProcessContext<string> context, ICollector<CountryRevenue> output)
        {
            _orders.Update(_orders.Value + 1);
            _revenue.Update(_revenue.Value + value.AmountCents);
            output.Collect(new CountryRevenue(value.Country, _orders.Value, _revenue.Value));
        }
    }
}
