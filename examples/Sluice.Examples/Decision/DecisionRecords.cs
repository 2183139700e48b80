namespace Sluice.Examples.Decision;

/// <summary>
/// A transaction with its user's features at that moment: what the scorer sees. The features include the transaction
/// itself (the window is <c>(ts − 10 min, ts]</c>).
/// </summary>
/// <param name="Transaction">The transaction being decided.</param>
/// <param name="Spend10mCents">The user's spend, in cents, over transactions with event time in <c>(ts − 10 min, ts]</c>.</param>
/// <param name="Count10m">How many transactions the user made in that window.</param>
/// <param name="PreviousLocation">The location of the user's transaction before this one; null for their first.</param>
public sealed record TransactionFeatures(CardTransaction Transaction, long Spend10mCents, long Count10m, string? PreviousLocation)
{
    /// <summary>How many values <see cref="WriteVector"/> writes: the decision model's input width (<see cref="DecisionModel.FeatureCount"/>).</summary>
    public const int VectorLength = 5;

    /// <summary>
    /// The model's input vector, in this order: amount (currency units), 10-minute spend (currency units), 10-minute
    /// count, location changed (1 when the previous location is known and differs, else 0), and the amount's share of the
    /// 10-minute spend (0 to 1). The decision model is trained on exactly these vectors (<see cref="DecisionModel"/>).
    /// </summary>
    /// <param name="vector">At least <see cref="VectorLength"/> values.</param>
    public void WriteVector(Span<float> vector)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vector.Length, VectorLength, nameof(vector));
        vector[0] = Transaction.AmountCents / 100f;
        vector[1] = Spend10mCents / 100f;
        vector[2] = Count10m;
        vector[3] = PreviousLocation is not null && PreviousLocation != Transaction.Location ? 1f : 0f;
        vector[4] = Spend10mCents > 0 ? (float)Transaction.AmountCents / Spend10mCents : 0f;
    }

    /// <summary>
    /// The features of <paramref name="transaction"/> given its user's earlier transactions: the one computation the
    /// pipeline (over keyed state) and the decision model's training data (<see cref="DecisionModel.Generate"/>) share,
    /// so the model is trained on what the stream computes. The window is <c>(ts − 10 min, ts]</c>.
    /// </summary>
    /// <param name="transaction">The user's next transaction, in event-time order.</param>
    /// <param name="recent">The user's earlier transactions still kept (event time, amount in cents), oldest first.</param>
    /// <param name="previousLocation">The location of the user's transaction before this one; null for their first.</param>
    /// <param name="kept">Cleared, then filled with the entries of the window including this transaction, oldest first: what to keep.</param>
    public static TransactionFeatures Compute(CardTransaction transaction, IEnumerable<(long Ts, long Cents)> recent, string? previousLocation, List<(long Ts, long Cents)> kept)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(recent);
        ArgumentNullException.ThrowIfNull(kept);
        var from = transaction.Ts - (long)DecisionPipeline.Window.TotalMilliseconds; // exclusive
        kept.Clear();
        long spend = 0;
        foreach (var (ts, cents) in recent)
        {
            if (ts > from)
            {
                kept.Add((ts, cents));
                spend += cents;
            }
        }
        kept.Add((transaction.Ts, transaction.AmountCents));
        spend += transaction.AmountCents;
        return new TransactionFeatures(transaction, spend, kept.Count, previousLocation);
    }

    /// <summary>The user's features after this transaction: what <c>user:{user_id}</c> holds.</summary>
    public UserFeatures ToUserFeatures() => new(Transaction.UserId, Spend10mCents, Count10m, Transaction.Location, Transaction.Ts);
}

/// <summary>
/// A user's features after their latest transaction, written to the Redis hash <c>user:{user_id}</c> (fields
/// <c>spend_10m_cents</c>, <c>count_10m</c>, <c>last_location</c>, <c>last_ts</c>).
/// </summary>
/// <param name="UserId">The user (the hash's key).</param>
/// <param name="Spend10mCents">Spend in cents in the 10 minutes up to the latest transaction (inclusive).</param>
/// <param name="Count10m">Transactions in those 10 minutes.</param>
/// <param name="LastLocation">The latest transaction's location.</param>
/// <param name="LastTs">The latest transaction's event time, Unix ms.</param>
public sealed record UserFeatures(string UserId, long Spend10mCents, long Count10m, string LastLocation, long LastTs);

/// <summary>What a transaction's score decides.</summary>
public enum Verdict
{
    /// <summary>Below <see cref="DecisionThresholds.Review"/>.</summary>
    Approve,

    /// <summary>At least <see cref="DecisionThresholds.Review"/>, below <see cref="DecisionThresholds.Decline"/>.</summary>
    Review,

    /// <summary>At least <see cref="DecisionThresholds.Decline"/>.</summary>
    Decline,
}

/// <summary>The score thresholds of the verdicts; <c>0 ≤ Review ≤ Decline ≤ 1</c>.</summary>
/// <param name="Review">The lowest score reviewed (default 0.5).</param>
/// <param name="Decline">The lowest score declined (default 0.8).</param>
public sealed record DecisionThresholds(double Review = 0.5, double Decline = 0.8)
{
    /// <summary>The verdict of <paramref name="score"/>.</summary>
    public Verdict Decide(double score) => score >= Decline ? Verdict.Decline : score >= Review ? Verdict.Review : Verdict.Approve;
}

/// <summary>
/// A user's latest decision, written to the Redis hash <c>decision:{user_id}</c> (fields <c>score</c>, <c>decision</c>
/// — <c>approve</c>, <c>review</c> or <c>decline</c> —, <c>transaction_id</c>, <c>ts</c>) and served by
/// <c>GET /api/decide/{user}</c>.
/// </summary>
/// <param name="UserId">The user (the hash's key).</param>
/// <param name="Score">The fraud score in [0, 1].</param>
/// <param name="Decision">The verdict, lower case.</param>
/// <param name="TransactionId">The transaction decided.</param>
/// <param name="Ts">Its event time, Unix ms.</param>
public sealed record UserDecision(string UserId, double Score, string Decision, string TransactionId, long Ts);
