using System.Reactive.Linq;
using System.Reactive.Subjects;
using Sluice.Nexmark.Model;
using Sluice.Nexmark.Results;

namespace Sluice.Nexmark.Queries;

/// <summary>
/// System.Reactive: events are pushed into a <see cref="Subject{T}"/> (the fastest way to feed Rx from a loop) and
/// the query is an Rx operator chain. Keyed state uses <c>GroupBy</c> + <c>Scan</c>/<c>SelectMany</c>, processing-time
/// windows use <c>Window(TimeSpan)</c>. Rx has no event-time windows over out-of-order input (its time windows
/// follow a scheduler's clock), so q5, q7, q8 and q11 are not expressed.
/// </summary>
public sealed class RxEngine : IQueryEngine
{
    /// <inheritdoc />
    public NexmarkEngine Engine => NexmarkEngine.Rx;

    /// <inheritdoc />
    public bool Supports(NexmarkQuery query) => query is NexmarkQuery.Q0 or NexmarkQuery.Q1 or NexmarkQuery.Q2 or NexmarkQuery.Q3 or NexmarkQuery.Q4 or NexmarkQuery.Q12;

    /// <inheritdoc />
    public double Prepare(Event[] events, int parallelism) => 0;

    /// <inheritdoc />
    public QueryOutput Run(NexmarkQuery query, Event[] events, QueryRunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(settings);
        var keep = settings.KeepRows;
        return query switch
        {
            NexmarkQuery.Q0 => Push(events, keep, static s => s.Where(e => e.Kind == EventKind.Bid).Select(e => BidRow.From(e.Bid))),
            NexmarkQuery.Q1 => Push(events, keep, static s => s.Where(e => e.Kind == EventKind.Bid).Select(e => CurrencyRow.From(e.Bid))),
            NexmarkQuery.Q2 => Push(events, keep, static s => s.Where(e => e.Kind == EventKind.Bid && e.Bid.Auction % 123 == 0).Select(e => new AuctionPriceRow(e.Bid.Auction, e.Bid.Price))),
            NexmarkQuery.Q3 => Push(events, keep, Q3),
            NexmarkQuery.Q4 => Q4(events, keep),
            NexmarkQuery.Q12 => Push(events, keep, static s => s.Where(e => e.Kind == EventKind.Bid)
                .GroupBy(e => e.Bid.Bidder)
                .SelectMany(g => g.Window(TimeSpan.FromSeconds(10)).SelectMany(w => w.Count()).Where(n => n > 0)
                    .Select(n => new ProcessingTimeCountRow(g.Key, n, 0, 0)))),
            _ => throw new NotSupportedException($"{query.Name()} is not expressible in System.Reactive (no event-time windows)."),
        };
    }

    /// <inheritdoc />
    public void Dispose() { }

    private static QueryOutput Push<T>(Event[] events, bool keepRows, Func<IObservable<Event>, IObservable<T>> query) where T : INexmarkRow
    {
        var collector = new ResultCollector<T>(keepRows);
        using var subject = new Subject<Event>();
        var done = new ManualResetEventSlim();
        Exception? error = null;
        using (query(subject).Subscribe(collector.Add, e => { error = e; done.Set(); }, done.Set))
        {
            foreach (var e in events)
            {
                subject.OnNext(e);
            }
            subject.OnCompleted();
            done.Wait();
        }
        if (error is not null)
        {
            throw new InvalidOperationException("The Rx query failed.", error);
        }
        return collector.ToOutput();
    }

    /// <summary>q3: persons and auctions grouped by seller id; each group keeps its person and waiting auctions.</summary>
    private static IObservable<LocalItemRow> Q3(IObservable<Event> events) => events
        .Where(e => (e.Kind == EventKind.Person && e.AsPerson.State is "OR" or "ID" or "CA") || (e.Kind == EventKind.Auction && e.AsAuction.Category == 10))
        .GroupBy(e => e.Kind == EventKind.Person ? e.AsPerson.Id : e.AsAuction.Seller)
        .SelectMany(g => Observable.Create<LocalItemRow>(o =>
        {
            Person? person = null;
            List<long>? waiting = null;
            return g.Subscribe(e =>
            {
                if (e.Kind == EventKind.Person)
                {
                    person = e.AsPerson;
                    if (waiting is not null)
                    {
                        foreach (var id in waiting)
                        {
                            o.OnNext(new LocalItemRow(person.Name, person.City, person.State, id));
                        }
                        waiting = null;
                    }
                }
                else if (person is not null)
                {
                    o.OnNext(new LocalItemRow(person.Name, person.City, person.State, e.AsAuction.Id));
                }
                else
                {
                    (waiting ??= []).Add(e.AsAuction.Id);
                }
            }, o.OnError, o.OnCompleted);
        }));

    private sealed class AuctionState
    {
        public bool Known;
        public long DateTime;
        public long Expires;
        public long Category;
        public long Max = -1;
        public List<(long Price, long DateTime)>? Early;
    }

    /// <summary>q4: auctions and bids grouped by auction (changes of the winning bid), then by category (running average).</summary>
    private static QueryOutput Q4(Event[] events, bool keepRows)
    {
        var final = new Dictionary<long, CategoryAverageRow>();
        Push(events, false, s => s
            .Where(e => e.Kind is EventKind.Auction or EventKind.Bid)
            .GroupBy(e => e.Kind == EventKind.Auction ? e.AsAuction.Id : e.Bid.Auction)
            .SelectMany(g => Observable.Create<(long Category, long OldMax, long NewMax)>(o =>
            {
                var a = new AuctionState();
                return g.Subscribe(e =>
                {
                    if (e.Kind == EventKind.Auction)
                    {
                        var x = e.AsAuction;
                        (a.Known, a.DateTime, a.Expires, a.Category) = (true, x.DateTime, x.Expires, x.Category);
                        if (a.Early is { } early)
                        {
                            foreach (var (price, time) in early)
                            {
                                if (time >= a.DateTime && time <= a.Expires && price > a.Max)
                                {
                                    o.OnNext((a.Category, a.Max, price));
                                    a.Max = price;
                                }
                            }
                            a.Early = null;
                        }
                    }
                    else if (!a.Known)
                    {
                        (a.Early ??= []).Add((e.Bid.Price, e.Bid.DateTime));
                    }
                    else if (e.Bid.DateTime >= a.DateTime && e.Bid.DateTime <= a.Expires && e.Bid.Price > a.Max)
                    {
                        o.OnNext((a.Category, a.Max, e.Bid.Price));
                        a.Max = e.Bid.Price;
                    }
                }, o.OnError, o.OnCompleted);
            }))
            .GroupBy(c => c.Category)
            .SelectMany(g => g.Scan((Sum: 0L, Count: 0L), (s, c) => c.OldMax < 0 ? (s.Sum + c.NewMax, s.Count + 1) : (s.Sum + c.NewMax - c.OldMax, s.Count))
                .Select(s => new CategoryAverageRow(g.Key, s.Sum / s.Count)))
            .Do(r => final[r.Category] = r));
        var collector = new ResultCollector<CategoryAverageRow>(keepRows);
        foreach (var row in final.Values)
        {
            collector.Add(row);
        }
        return collector.ToOutput();
    }
}
