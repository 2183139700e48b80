namespace Sluice.Nexmark.Queries;

/// <summary>The Nexmark queries implemented here (nexmark/nexmark Flink SQL definitions).</summary>
public enum NexmarkQuery
{
    /// <summary>Pass-through of bids.</summary>
    Q0 = 0,

    /// <summary>Currency conversion of bid prices.</summary>
    Q1 = 1,

    /// <summary>Selection: bids on auctions whose id is a multiple of 123.</summary>
    Q2 = 2,

    /// <summary>Local item suggestion: incremental join of OR/ID/CA sellers with their category-10 auctions.</summary>
    Q3 = 3,

    /// <summary>Average winning bid per category (updating join + two aggregations).</summary>
    Q4 = 4,

    /// <summary>Hot items: auctions with the most bids per 10 s sliding window (slide 2 s).</summary>
    Q5 = 5,

    /// <summary>Highest bid per 10 s tumbling window.</summary>
    Q7 = 7,

    /// <summary>New users: persons who opened an auction in the 10 s window in which they registered.</summary>
    Q8 = 8,

    /// <summary>User sessions: bids per bidder session (gap 10 s).</summary>
    Q11 = 11,

    /// <summary>Bids per bidder in 10 s processing-time windows.</summary>
    Q12 = 12,
}

/// <summary>Names and parsing of queries.</summary>
public static class NexmarkQueries
{
    /// <summary>Every implemented query, in order.</summary>
    public static IReadOnlyList<NexmarkQuery> All { get; } =
        [NexmarkQuery.Q0, NexmarkQuery.Q1, NexmarkQuery.Q2, NexmarkQuery.Q3, NexmarkQuery.Q4, NexmarkQuery.Q5, NexmarkQuery.Q7, NexmarkQuery.Q8, NexmarkQuery.Q11, NexmarkQuery.Q12];

    /// <summary>The query's name as the CLI and JSON show it (<c>q0</c> … <c>q12</c>).</summary>
    public static string Name(this NexmarkQuery query) => "q" + ((int)query).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Parses <c>qN</c> or <c>all</c>.</summary>
    /// <exception cref="ArgumentException">Not a known query.</exception>
    public static IReadOnlyList<NexmarkQuery> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return All;
        }
        var result = new List<NexmarkQuery>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = All.FirstOrDefault(q => q.Name().Equals(part, StringComparison.OrdinalIgnoreCase), (NexmarkQuery)(-1));
            if ((int)match < 0)
            {
                throw new ArgumentException($"Unknown query '{part}': use one of {string.Join(", ", All.Select(q => q.Name()))} or all.", nameof(text));
            }
            result.Add(match);
        }
        return result;
    }

    /// <summary>
    /// Nexmark Flink 1.13 throughput per core from nexmark/nexmark GUIDE_V1 (events/s/core), or null where the guide
    /// publishes none (q12).
    /// </summary>
    public static double? FlinkPublishedPerCore(this NexmarkQuery query) => query switch
    {
        NexmarkQuery.Q0 => 155_000,
        NexmarkQuery.Q1 => 158_000,
        NexmarkQuery.Q2 => 175_000,
        NexmarkQuery.Q3 => 152_000,
        NexmarkQuery.Q4 => 34_000,
        NexmarkQuery.Q5 => 22_000,
        NexmarkQuery.Q7 => 12_000,
        NexmarkQuery.Q8 => 146_000,
        NexmarkQuery.Q11 => 40_000,
        _ => null,
    };
}
