using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using Sluice.Nexmark.Model;
using Sluice.Nexmark.Results;

namespace Sluice.Nexmark.Queries;

/// <summary>
/// DuckDB in batch: <see cref="Prepare"/> loads the events into tables <c>person</c>, <c>auction</c> and <c>bid</c>
/// (the Flink views; times as BIGINT ms; <c>extra</c> as the (offset, length) slice every engine carries), then each
/// query is the Flink SQL rewritten for batch: window TVFs become arithmetic on <c>dateTime</c>, the session window a
/// gaps-and-islands over <c>lag()</c>. Measured time covers the query and reading its result, not the load.
/// </summary>
public sealed class DuckDbEngine : IQueryEngine
{
    private DuckDBConnection? _connection;
    private Event[]? _loaded;

    /// <inheritdoc />
    public NexmarkEngine Engine => NexmarkEngine.DuckDb;

    /// <inheritdoc />
    public bool Supports(NexmarkQuery query) => true;

    /// <summary>The SQL run for <paramref name="query"/>.</summary>
    public static string Sql(NexmarkQuery query) => query switch
    {
        NexmarkQuery.Q0 => "SELECT auction, bidder, price, dateTime, extra_off, extra_len FROM bid",
        NexmarkQuery.Q1 => "SELECT auction, bidder, price * 908 AS price_milli, dateTime, extra_off, extra_len FROM bid",
        NexmarkQuery.Q2 => "SELECT auction, price FROM bid WHERE auction % 123 = 0",
        NexmarkQuery.Q3 => """
            SELECT P.name, P.city, P.state, A.id
            FROM auction AS A INNER JOIN person AS P ON A.seller = P.id
            WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')
            """,
        NexmarkQuery.Q4 => """
            SELECT Q.category, CAST(sum(Q.final) // count(*) AS BIGINT) AS final
            FROM (
                SELECT max(B.price) AS final, A.category
                FROM auction A, bid B
                WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires
                GROUP BY A.id, A.category
            ) Q
            GROUP BY Q.category
            """,
        NexmarkQuery.Q5 => """
            WITH counts AS (
                SELECT auction, (dateTime // 2000) * 2000 - k * 2000 AS starttime, count(*) AS num
                FROM bid CROSS JOIN range(5) AS r(k)
                GROUP BY auction, starttime
            ), maxes AS (
                SELECT starttime, max(num) AS maxn FROM counts GROUP BY starttime
            )
            SELECT c.auction, c.num, c.starttime
            FROM counts c JOIN maxes m ON c.starttime = m.starttime AND c.num >= m.maxn
            """,
        NexmarkQuery.Q7 => """
            WITH B1 AS (
                SELECT max(price) AS maxprice, (dateTime // 10000) * 10000 + 10000 AS wend
                FROM bid GROUP BY dateTime // 10000
            )
            SELECT B.auction, B.bidder, B.price, B.dateTime, B.extra_off, B.extra_len
            FROM bid B JOIN B1 ON B.price = B1.maxprice
            WHERE B.dateTime BETWEEN B1.wend - 10000 AND B1.wend
            """,
        NexmarkQuery.Q8 => """
            SELECT P.id, P.name, P.starttime
            FROM (SELECT id, name, (dateTime // 10000) * 10000 AS starttime FROM person GROUP BY id, name, starttime) P
            JOIN (SELECT seller, (dateTime // 10000) * 10000 AS starttime FROM auction GROUP BY seller, starttime) A
            ON P.id = A.seller AND P.starttime = A.starttime
            """,
        NexmarkQuery.Q11 => """
            SELECT bidder, count(*) AS bid_count, min(dateTime) AS starttime, max(dateTime) + 10000 AS endtime
            FROM (
                SELECT bidder, dateTime, sum(new_session) OVER (PARTITION BY bidder ORDER BY dateTime ROWS UNBOUNDED PRECEDING) AS session
                FROM (
                    SELECT bidder, dateTime,
                        CASE WHEN dateTime - lag(dateTime) OVER (PARTITION BY bidder ORDER BY dateTime) <= 10000 THEN 0 ELSE 1 END AS new_session
                    FROM bid
                )
            )
            GROUP BY bidder, session
            """,
        // Batch has no processing time: the whole input is one processing-time window.
        NexmarkQuery.Q12 => "SELECT bidder, count(*) AS bid_count FROM bid GROUP BY bidder",
        _ => throw new ArgumentOutOfRangeException(nameof(query), query, "Unknown query."),
    };

    /// <inheritdoc />
    public double Prepare(Event[] events, int parallelism)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (ReferenceEquals(events, _loaded))
        {
            return 0;
        }
        var watch = Stopwatch.StartNew();
        _connection?.Dispose();
        _connection = new DuckDBConnection(string.Create(CultureInfo.InvariantCulture, $"Data Source=:memory:;threads={parallelism}"));
        _connection.Open();
        Execute(_connection, "CREATE TABLE person (id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, dateTime BIGINT, extra_off INTEGER, extra_len INTEGER)");
        Execute(_connection, "CREATE TABLE auction (id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, dateTime BIGINT, expires BIGINT, seller BIGINT, category BIGINT, extra_off INTEGER, extra_len INTEGER)");
        Execute(_connection, "CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, dateTime BIGINT, extra_off INTEGER, extra_len INTEGER)");
        using (var persons = _connection.CreateAppender("person"))
        using (var auctions = _connection.CreateAppender("auction"))
        using (var bids = _connection.CreateAppender("bid"))
        {
            foreach (ref readonly var e in events.AsSpan())
            {
                switch (e.Kind)
                {
                    case EventKind.Person:
                        var p = e.AsPerson;
                        persons.CreateRow().AppendValue(p.Id).AppendValue(p.Name).AppendValue(p.EmailAddress).AppendValue(p.CreditCard).AppendValue(p.City)
                            .AppendValue(p.State).AppendValue(p.DateTime).AppendValue(p.Extra.Offset).AppendValue(p.Extra.Length).EndRow();
                        break;
                    case EventKind.Auction:
                        var a = e.AsAuction;
                        auctions.CreateRow().AppendValue(a.Id).AppendValue(a.ItemName).AppendValue(a.Description).AppendValue(a.InitialBid).AppendValue(a.Reserve)
                            .AppendValue(a.DateTime).AppendValue(a.Expires).AppendValue(a.Seller).AppendValue(a.Category).AppendValue(a.Extra.Offset)
                            .AppendValue(a.Extra.Length).EndRow();
                        break;
                    default:
                        var b = e.Bid;
                        bids.CreateRow().AppendValue(b.Auction).AppendValue(b.Bidder).AppendValue(b.Price).AppendValue(b.Channel).AppendValue(b.Url)
                            .AppendValue(b.DateTime).AppendValue(b.Extra.Offset).AppendValue(b.Extra.Length).EndRow();
                        break;
                }
            }
        }
        _loaded = events;
        return watch.Elapsed.TotalSeconds;
    }

    /// <inheritdoc />
    public QueryOutput Run(NexmarkQuery query, Event[] events, QueryRunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!ReferenceEquals(events, _loaded) || _connection is null)
        {
            throw new InvalidOperationException("Call Prepare with the same events before Run.");
        }
        using var command = _connection.CreateCommand();
        command.CommandText = Sql(query);
        using var r = command.ExecuteReader();
        var keep = settings.KeepRows;
        switch (query)
        {
            case NexmarkQuery.Q0:
            case NexmarkQuery.Q7:
                {
                    var c = new ResultCollector<BidRow>(keep);
                    while (r.Read())
                    {
                        c.Add(new BidRow(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), new ExtraString(r.GetInt32(4), r.GetInt32(5))));
                    }
                    return c.ToOutput();
                }
            case NexmarkQuery.Q1:
                {
                    var c = new ResultCollector<CurrencyRow>(keep);
                    while (r.Read())
                    {
                        c.Add(new CurrencyRow(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), new ExtraString(r.GetInt32(4), r.GetInt32(5))));
                    }
                    return c.ToOutput();
                }
            case NexmarkQuery.Q2:
                {
                    var c = new ResultCollector<AuctionPriceRow>(keep);
                    while (r.Read())
                    {
                        c.Add(new AuctionPriceRow(r.GetInt64(0), r.GetInt64(1)));
                    }
                    return c.ToOutput();
                }
            case NexmarkQuery.Q3:
                {
                    var c = new ResultCollector<LocalItemRow>(keep);
                    while (r.Read())
                    {
                        c.Add(new LocalItemRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3)));
                    }
                    return c.ToOutput();
                }
            case NexmarkQuery.Q4:
                {
                    var c = new ResultCollector<CategoryAverageRow>(keep);
                    while (r.Read())
                    {
                        c.Add(new CategoryAverageRow(r.GetInt64(0), r.GetInt64(1)));
                    }
                    return c.ToOutput();
                }
            case NexmarkQuery.Q5:
                {
                    var c = new ResultCollector<HotItemRow>(keep);
                    while (r.Read())
                    {
                        c.Add(new HotItemRow(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)));
                    }
                    return c.ToOutput();
                }
            case NexmarkQuery.Q8:
                {
                    var c = new ResultCollector<NewUserRow>(keep);
                    while (r.Read())
                    {
                        c.Add(new NewUserRow(r.GetInt64(0), r.GetString(1), r.GetInt64(2)));
                    }
                    return c.ToOutput();
                }
            case NexmarkQuery.Q11:
                {
                    var c = new ResultCollector<SessionRow>(keep);
                    while (r.Read())
                    {
                        c.Add(new SessionRow(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)));
                    }
                    return c.ToOutput();
                }
            case NexmarkQuery.Q12:
                {
                    var c = new ResultCollector<ProcessingTimeCountRow>(keep);
                    while (r.Read())
                    {
                        c.Add(new ProcessingTimeCountRow(r.GetInt64(0), r.GetInt64(1), 0, 0));
                    }
                    return c.ToOutput();
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(query), query, "Unknown query.");
        }
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _connection?.Dispose();
        _connection = null;
        _loaded = null;
    }
}
