using System.Globalization;
using System.Text;
using Sluice.Log;

namespace Sluice.Examples.Medallion;

/// <summary>How a generated input line is flawed (or not), and where the medallion pipeline sends it.</summary>
public enum OrderFlaw
{
    /// <summary>A valid order: silver, then gold.</summary>
    None,

    /// <summary>Not JSON at all: a parse dead letter (kind <c>parse</c>).</summary>
    Malformed,

    /// <summary>The amount is a decimal string (<c>"12.50"</c>): parser version 1 dead-letters it (kind <c>schema</c>, field <c>amount</c>); version 2 reads it.</summary>
    AmountAsString,

    /// <summary>No customer: rule <c>customer_present</c> (not null) dead-letters it.</summary>
    MissingCustomer,

    /// <summary>A negative amount: rule <c>amount_range</c> dead-letters it.</summary>
    NegativeAmount,

    /// <summary>A country outside the accepted values: rule <c>country_known</c> dead-letters it.</summary>
    UnknownCountry,

    /// <summary>An order id not of the form <c>o&lt;digits&gt;</c>: rule <c>order_id_format</c> (pattern) dead-letters it.</summary>
    BadOrderId,

    /// <summary>An amount of zero (a test order): rule <c>not_a_test_order</c> drops it (action DROP).</summary>
    TestOrder,

    /// <summary>An exact repeat of an earlier valid order: silver's dedup drops it.</summary>
    Duplicate,
}

/// <summary>A valid order as the generator made it: what silver should hold, and gold aggregates.</summary>
/// <param name="OrderId">The order id.</param>
/// <param name="Customer">The customer.</param>
/// <param name="Country">An accepted country code.</param>
/// <param name="AmountCents">The amount in cents (positive).</param>
public sealed record GeneratedOrder(string OrderId, string Customer, string Country, long AmountCents);

/// <summary>What the generator produced, known independently of the pipeline: the tests' ground truth.</summary>
/// <param name="Lines">Every input line in topic order, with its flaw.</param>
/// <param name="Clean">The valid orders (first copies only): silver after parser version 1.</param>
/// <param name="Fixable">The orders whose amount is a decimal string: silver gains them after the fix and a replay.</param>
public sealed record MedallionTruth(IReadOnlyList<(string Line, OrderFlaw Flaw)> Lines, IReadOnlyList<GeneratedOrder> Clean, IReadOnlyList<GeneratedOrder> Fixable)
{
    /// <summary>Lines with <paramref name="flaw"/>.</summary>
    public int Count(OrderFlaw flaw)
    {
        var n = 0;
        foreach (var (_, f) in Lines)
        {
            n += f == flaw ? 1 : 0;
        }
        return n;
    }
}

/// <summary>
/// The medallion example's input: a deterministic stream of JSON order lines (same seed and count ⇒ same lines) with
/// about 10 % flawed in eight known ways (<see cref="OrderFlaw"/>), appended to the embedded-log topic <c>orders</c>.
/// </summary>
public static class MedallionInput
{
    /// <summary>The input topic (bronze's source); its dead letters go to <c>orders.dlq</c>.</summary>
    public const string Topic = "orders";

    /// <summary>The countries rule <c>country_known</c> accepts.</summary>
    public static IReadOnlyList<string> Countries { get; } = ["DE", "FR", "GB", "NL", "US"];

    /// <summary>Event time of the first line: 2026-11-21T00:00Z, Unix ms; each line is 100 ms after the one before.</summary>
    public const long StartMs = 1_763_683_200_000;

    /// <summary>Generates <paramref name="lines"/> input lines.</summary>
    public static MedallionTruth Generate(int lines, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lines);
        var random = new Random(seed);
        var all = new List<(string, OrderFlaw)>(lines);
        var clean = new List<GeneratedOrder>();
        var fixable = new List<GeneratedOrder>();
        for (var i = 0; all.Count < lines; i++)
        {
            var order = new GeneratedOrder($"o{i}", $"c{random.Next(200)}", Countries[random.Next(Countries.Count)], random.Next(100, 50_000));
            var ts = StartMs + (all.Count * 100L);
            var roll = random.NextDouble();
            var flaw = roll switch
            {
                < 0.0125 => OrderFlaw.Malformed,
                < 0.025 => OrderFlaw.AmountAsString,
                < 0.0375 => OrderFlaw.MissingCustomer,
                < 0.05 => OrderFlaw.NegativeAmount,
                < 0.0625 => OrderFlaw.UnknownCountry,
                < 0.075 => OrderFlaw.BadOrderId,
                < 0.0875 => OrderFlaw.TestOrder,
                < 0.10 when clean.Count > 0 => OrderFlaw.Duplicate,
                _ => OrderFlaw.None,
            };
            switch (flaw)
            {
                case OrderFlaw.Malformed:
                    all.Add(($"{{\"order_id\": \"o{i}\", \"customer\": ", flaw));
                    break;
                case OrderFlaw.AmountAsString:
                    all.Add((Line(order, ts, amountAsString: true), flaw));
                    fixable.Add(order);
                    break;
                case OrderFlaw.MissingCustomer:
                    all.Add((Line(order with { Customer = null! }, ts), flaw));
                    break;
                case OrderFlaw.NegativeAmount:
                    all.Add((Line(order with { AmountCents = -order.AmountCents }, ts), flaw));
                    break;
                case OrderFlaw.UnknownCountry:
                    all.Add((Line(order with { Country = "XX" }, ts), flaw));
                    break;
                case OrderFlaw.BadOrderId:
                    all.Add((Line(order with { OrderId = $"#{i}" }, ts), flaw));
                    break;
                case OrderFlaw.TestOrder:
                    all.Add((Line(order with { AmountCents = 0 }, ts), flaw));
                    break;
                case OrderFlaw.Duplicate:
                    all.Add((Line(clean[random.Next(clean.Count)], ts), flaw));
                    break;
                default:
                    all.Add((Line(order, ts), flaw));
                    clean.Add(order);
                    break;
            }
        }
        return new MedallionTruth(all, clean, fixable);
    }

    /// <summary>The JSON line of <paramref name="order"/> (amount in currency units with two decimals; a null customer is written as null).</summary>
    public static string Line(GeneratedOrder order, long ts, bool amountAsString = false)
    {
        ArgumentNullException.ThrowIfNull(order);
        var amount = (order.AmountCents / 100m).ToString("0.00", CultureInfo.InvariantCulture);
        var customer = order.Customer is null ? "null" : $"\"{order.Customer}\"";
        return $"{{\"order_id\":\"{order.OrderId}\",\"customer\":{customer},\"country\":\"{order.Country}\",\"amount\":{(amountAsString ? $"\"{amount}\"" : amount)},\"ts\":{ts.ToString(CultureInfo.InvariantCulture)}}}";
    }

    /// <summary>
    /// Appends the lines the topic does not hold yet (one partition, created when missing), stamped with their event
    /// time: a rerun appends nothing (records a replay appended after the input count as held). Returns the records
    /// the topic held before.
    /// </summary>
    public static long Produce(PartitionedLog log, MedallionTruth truth)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(truth);
        var topic = log.TryGetTopic(Topic, out var existing) ? existing : log.CreateTopic(Topic, new TopicConfig { Partitions = 1 });
        var partition = topic.GetPartition(0);
        var present = partition.EndOffset;
        var batch = new List<ProducerRecord>(1000);
        for (var i = (int)present; i < truth.Lines.Count; i++)
        {
            batch.Add(ProducerRecord.FromArrays(null, Encoding.UTF8.GetBytes(truth.Lines[i].Line), StartMs + (i * 100L)));
            if (batch.Count == 1000 || i == truth.Lines.Count - 1)
            {
                partition.Append(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch));
                batch.Clear();
            }
        }
        partition.Flush();
        return present;
    }
}
