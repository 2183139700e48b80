namespace Sluice.Examples.Medallion;

/// <summary>Bronze: one input record exactly as it arrived (partitioned in the lake by its timestamp's date and hour).</summary>
/// <param name="Partition">Its partition in topic <c>orders</c>.</param>
/// <param name="Offset">Its offset there.</param>
/// <param name="Ts">Its record timestamp, Unix ms.</param>
/// <param name="Raw">The line.</param>
public sealed record BronzeOrder(int Partition, long Offset, long Ts, string Raw);

/// <summary>Silver: a parsed, validated, deduplicated order (upserted by <see cref="OrderId"/>).</summary>
/// <param name="OrderId">The order id, <c>o&lt;digits&gt;</c>.</param>
/// <param name="Customer">The customer.</param>
/// <param name="Country">An accepted country code.</param>
/// <param name="AmountCents">The amount in cents (positive).</param>
/// <param name="Ts">The order's event time, Unix ms.</param>
public sealed record SilverOrder(string OrderId, string? Customer, string Country, long AmountCents, long Ts);

/// <summary>A repeat of an order id silver already holds, dropped by dedup (kept here so the accounting is exact).</summary>
/// <param name="OrderId">The repeated order id.</param>
/// <param name="Offset">The repeat's offset in topic <c>orders</c>.</param>
public sealed record DroppedDuplicate(string OrderId, long Offset);

/// <summary>Gold: orders and revenue per country, upserted by country as silver grows.</summary>
/// <param name="Country">The country code.</param>
/// <param name="Orders">Silver orders of the country.</param>
/// <param name="RevenueCents">Their amounts' sum, in cents.</param>
public sealed record CountryRevenue(string Country, long Orders, long RevenueCents);

/// <summary>A parsed order with the record it came from: rule dead letters carry the line and its position, so a replay appends the original line back.</summary>
internal sealed record ParsedOrder(SilverOrder Order, RecordOrigin Origin, string Line);
