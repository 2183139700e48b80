using System.Globalization;
using System.Text;

namespace Sluice.Examples.Decision;

/// <summary>A card transaction, as clients post it to <c>POST /ingest/transactions</c> (JSON, camelCase).</summary>
/// <param name="TransactionId">Unique id, <c>t&lt;n&gt;</c>.</param>
/// <param name="UserId">The card holder, <c>u&lt;n&gt;</c>: the entity the features and decisions are kept for.</param>
/// <param name="AmountCents">The amount in cents (positive).</param>
/// <param name="Location">Where the card was used (a city).</param>
/// <param name="Ts">Event time, Unix ms.</param>
public sealed record CardTransaction(string TransactionId, string UserId, long AmountCents, string Location, long Ts);

/// <summary>
/// The decision example's input: a deterministic stream of card transactions (same seed and count ⇒ same stream) in
/// event-time order, about 4 % of them "suspicious" (a large amount far from the user's home city), so the decisions
/// include reviews and declines.
/// </summary>
public static class DecisionInput
{
    /// <summary>The topic the transactions are ingested into.</summary>
    public const string Topic = "transactions";

    /// <summary>Event time of the first transaction: 2026-12-01T00:00Z, Unix ms.</summary>
    public const long StartMs = 1_764_547_200_000;

    /// <summary>The cities transactions happen in.</summary>
    public static IReadOnlyList<string> Cities { get; } = ["Amsterdam", "Berlin", "Lisbon", "London", "Madrid", "Paris", "Rome", "Vienna", "Warsaw", "Zurich"];

    /// <summary>
    /// Generates <paramref name="count"/> transactions of <paramref name="users"/> users, event times 0-500 ms apart
    /// (about 250 ms on average, so a user's 10-minute window holds a few of their transactions).
    /// </summary>
    public static IReadOnlyList<CardTransaction> Generate(int count, int users, int seed)
    {
        var labelled = GenerateLabelled(count, users, seed);
        var transactions = new CardTransaction[labelled.Count];
        for (var i = 0; i < transactions.Length; i++)
        {
            transactions[i] = labelled[i].Transaction;
        }
        return transactions;
    }

    /// <summary>
    /// The transactions of <see cref="Generate"/> (the same for the same arguments), each with its label: fraud for the
    /// suspicious ones (an amount of 500–3,000 in any city; the others are 5–150, 90 % in the user's home city). The
    /// decision model (<see cref="DecisionModel"/>) learns from them.
    /// </summary>
    public static IReadOnlyList<(CardTransaction Transaction, bool Fraud)> GenerateLabelled(int count, int users, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(users);
        var random = new Random(seed);
        var transactions = new List<(CardTransaction, bool)>(count);
        var ts = StartMs;
        for (var i = 0; i < count; i++)
        {
            ts += random.Next(0, 501);
            var user = random.Next(users);
            var home = Cities[user % Cities.Count];
            if (random.NextDouble() < 0.04)
            {
                transactions.Add((new CardTransaction($"t{i}", UserId(user), random.Next(50_000, 300_000), Cities[random.Next(Cities.Count)], ts), true));
            }
            else
            {
                var location = random.NextDouble() < 0.9 ? home : Cities[random.Next(Cities.Count)];
                transactions.Add((new CardTransaction($"t{i}", UserId(user), random.Next(500, 15_000), location, ts), false));
            }
        }
        return transactions;
    }

    /// <summary>The id of user number <paramref name="user"/>.</summary>
    public static string UserId(int user) => string.Create(CultureInfo.InvariantCulture, $"u{user}");

    /// <summary>The NDJSON body of <paramref name="transactions"/> for <c>POST /ingest/transactions</c> (camelCase fields).</summary>
    public static string Ndjson(IEnumerable<CardTransaction> transactions)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        var body = new StringBuilder();
        foreach (var t in transactions)
        {
            body.Append(CultureInfo.InvariantCulture,
                $"{{\"transactionId\":\"{t.TransactionId}\",\"userId\":\"{t.UserId}\",\"amountCents\":{t.AmountCents},\"location\":\"{t.Location}\",\"ts\":{t.Ts}}}\n");
        }
        return body.ToString();
    }
}
