using System.Runtime.InteropServices;
using Sluice.Nexmark.Model;
using Sluice.Nexmark.Results;

namespace Sluice.Nexmark.Queries;

/// <summary>
/// The baseline a user writes without an engine: one thread, one pass over the events in arrival order, plain loops
/// and dictionaries. Windowed queries track their own watermark (largest timestamp − 4 s, as the Flink DDL) and emit
/// and forget windows as it passes them, so they stream with bounded state like the engines do.
/// </summary>
public sealed class HandwrittenEngine : IQueryEngine
{
    private const long OutOfOrdernessMs = 4000;

    /// <inheritdoc />
    public NexmarkEngine Engine => NexmarkEngine.Handwritten;

    /// <inheritdoc />
    public bool Supports(NexmarkQuery query) => true;

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
            NexmarkQuery.Q0 => Q0(events, new ResultCollector<BidRow>(keep)).ToOutput(),
            NexmarkQuery.Q1 => Q1(events, new ResultCollector<CurrencyRow>(keep)).ToOutput(),
            NexmarkQuery.Q2 => Q2(events, new ResultCollector<AuctionPriceRow>(keep)).ToOutput(),
            NexmarkQuery.Q3 => Q3(events, new ResultCollector<LocalItemRow>(keep)).ToOutput(),
            NexmarkQuery.Q4 => Q4(events, new ResultCollector<CategoryAverageRow>(keep)).ToOutput(),
            NexmarkQuery.Q5 => Q5(events, new ResultCollector<HotItemRow>(keep)).ToOutput(),
            NexmarkQuery.Q7 => Q7(events, new ResultCollector<BidRow>(keep)).ToOutput(),
            NexmarkQuery.Q8 => Q8(events, new ResultCollector<NewUserRow>(keep)).ToOutput(),
            NexmarkQuery.Q11 => Q11(events, new ResultCollector<SessionRow>(keep)).ToOutput(),
            NexmarkQuery.Q12 => Q12(events, new ResultCollector<ProcessingTimeCountRow>(keep)).ToOutput(),
            _ => throw new ArgumentOutOfRangeException(nameof(query), query, "Unknown query."),
        };
    }

    /// <inheritdoc />
    public void Dispose() { }

    internal static ResultCollector<BidRow> Q0(Event[] events, ResultCollector<BidRow> output)
    {
        foreach (ref readonly var e in events.AsSpan())
        {
            if (e.Kind == EventKind.Bid)
            {
                output.Add(BidRow.From(e.Bid));
            }
        }
        return output;
    }

    internal static ResultCollector<CurrencyRow> Q1(Event[] events, ResultCollector<CurrencyRow> output)
    {
        foreach (ref readonly var e in events.AsSpan())
        {
            if (e.Kind == EventKind.Bid)
            {
                output.Add(CurrencyRow.From(e.Bid));
            }
        }
        return output;
    }

    internal static ResultCollector<AuctionPriceRow> Q2(Event[] events, ResultCollector<AuctionPriceRow> output)
    {
        foreach (ref readonly var e in events.AsSpan())
        {
            if (e.Kind == EventKind.Bid && e.Bid.Auction % 123 == 0)
            {
                output.Add(new AuctionPriceRow(e.Bid.Auction, e.Bid.Price));
            }
        }
        return output;
    }

    internal static ResultCollector<LocalItemRow> Q3(Event[] events, ResultCollector<LocalItemRow> output)
    {
        var sellers = new Dictionary<long, Person>();
        var waiting = new Dictionary<long, List<long>>();
        foreach (ref readonly var e in events.AsSpan())
        {
            if (e.Kind == EventKind.Person)
            {
                var p = e.AsPerson;
                if (p.State is "OR" or "ID" or "CA")
                {
                    sellers[p.Id] = p;
                    if (waiting.Remove(p.Id, out var auctions))
                    {
                        foreach (var id in auctions)
                        {
                            output.Add(new LocalItemRow(p.Name, p.City, p.State, id));
                        }
                    }
                }
            }
            else if (e.Kind == EventKind.Auction)
            {
                var a = e.AsAuction;
                if (a.Category == 10)
                {
                    if (sellers.TryGetValue(a.Seller, out var p))
                    {
                        output.Add(new LocalItemRow(p.Name, p.City, p.State, a.Id));
                    }
                    else
                    {
                        ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(waiting, a.Seller, out _);
                        (list ??= []).Add(a.Id);
                    }
                }
            }
        }
        return output;
    }

    private struct OpenAuction
    {
        public long DateTime;
        public long Expires;
        public long Category;
        public long MaxPrice;
    }

    internal static ResultCollector<CategoryAverageRow> Q4(Event[] events, ResultCollector<CategoryAverageRow> output)
    {
        var auctions = new Dictionary<long, OpenAuction>();
        var early = new Dictionary<long, List<(long Price, long DateTime)>>();
        var sums = new Dictionary<long, (long Sum, long Count)>();

        void Update(long category, long oldMax, long newMax)
        {
            ref var s = ref CollectionsMarshal.GetValueRefOrAddDefault(sums, category, out _);
            if (oldMax < 0)
            {
                s.Count++;
                s.Sum += newMax;
            }
            else
            {
                s.Sum += newMax - oldMax;
            }
        }

        foreach (ref readonly var e in events.AsSpan())
        {
            if (e.Kind == EventKind.Bid)
            {
                var b = e.Bid;
                ref var a = ref CollectionsMarshal.GetValueRefOrNullRef(auctions, b.Auction);
                if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref a))
                {
                    ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(early, b.Auction, out _);
                    (list ??= []).Add((b.Price, b.DateTime));
                }
                else if (b.DateTime >= a.DateTime && b.DateTime <= a.Expires && b.Price > a.MaxPrice)
                {
                    Update(a.Category, a.MaxPrice, b.Price);
                    a.MaxPrice = b.Price;
                }
            }
            else if (e.Kind == EventKind.Auction)
            {
                var x = e.AsAuction;
                var a = new OpenAuction { DateTime = x.DateTime, Expires = x.Expires, Category = x.Category, MaxPrice = -1 };
                if (early.Remove(x.Id, out var bids))
                {
                    foreach (var (price, time) in bids)
                    {
                        if (time >= a.DateTime && time <= a.Expires && price > a.MaxPrice)
                        {
                            Update(a.Category, a.MaxPrice, price);
                            a.MaxPrice = price;
                        }
                    }
                }
                auctions[x.Id] = a;
            }
        }
        foreach (var (category, s) in sums)
        {
            output.Add(new CategoryAverageRow(category, s.Sum / s.Count));
        }
        return output;
    }

    internal static ResultCollector<HotItemRow> Q5(Event[] events, ResultCollector<HotItemRow> output)
    {
        const long Size = 10_000;
        const long Slide = 2_000;
        var panes = new Dictionary<long, Dictionary<long, long>>();
        var free = new Stack<Dictionary<long, long>>();
        var window = new Dictionary<long, long>();
        var maxTimestamp = long.MinValue;
        var minPane = long.MaxValue;
        var maxPane = long.MinValue;
        var nextEnd = long.MinValue;

        void Fire(long end)
        {
            var start = end - Size;
            window.Clear();
            for (var p = start; p < end; p += Slide)
            {
                if (panes.TryGetValue(p, out var counts))
                {
                    foreach (var (auction, n) in counts)
                    {
                        CollectionsMarshal.GetValueRefOrAddDefault(window, auction, out _) += n;
                    }
                }
            }
            var max = 0L;
            foreach (var n in window.Values)
            {
                max = Math.Max(max, n);
            }
            foreach (var (auction, n) in window)
            {
                if (n == max)
                {
                    output.Add(new HotItemRow(auction, n, start));
                }
            }
            if (panes.Remove(start, out var done))
            {
                done.Clear();
                free.Push(done);
            }
        }

        void Advance(long watermark)
        {
            if (nextEnd == long.MinValue)
            {
                if (minPane == long.MaxValue)
                {
                    return;
                }
                nextEnd = minPane + Slide;
            }
            while (nextEnd - 1 <= watermark && nextEnd - Size <= maxPane)
            {
                Fire(nextEnd);
                nextEnd += Slide;
            }
        }

        foreach (ref readonly var e in events.AsSpan())
        {
            if (e.Kind != EventKind.Bid)
            {
                continue;
            }
            var t = e.DateTime;
            var pane = t - t % Slide;
            if (!panes.TryGetValue(pane, out var counts))
            {
                counts = free.Count > 0 ? free.Pop() : [];
                panes.Add(pane, counts);
                minPane = Math.Min(minPane, pane);
                maxPane = Math.Max(maxPane, pane);
            }
            CollectionsMarshal.GetValueRefOrAddDefault(counts, e.Bid.Auction, out _)++;
            if (t > maxTimestamp)
            {
                maxTimestamp = t;
                Advance(t - OutOfOrdernessMs - 1);
            }
        }
        Advance(long.MaxValue);
        return output;
    }

    private sealed class WindowMax
    {
        public long Max = -1;
        public readonly List<Bid> AtMax = [];
        public readonly List<Bid> AtEnd = [];
    }

    internal static ResultCollector<BidRow> Q7(Event[] events, ResultCollector<BidRow> output)
    {
        const long Size = 10_000;
        var windows = new Dictionary<long, WindowMax>();
        var maxTimestamp = long.MinValue;
        var pending = new List<long>();

        WindowMax Get(long start)
        {
            if (!windows.TryGetValue(start, out var w))
            {
                w = new WindowMax();
                windows.Add(start, w);
            }
            return w;
        }

        void Fire(long start, WindowMax w)
        {
            foreach (var b in w.AtMax)
            {
                output.Add(BidRow.From(b));
            }
            foreach (var b in w.AtEnd)
            {
                if (b.Price == w.Max)
                {
                    output.Add(BidRow.From(b));
                }
            }
            windows.Remove(start);
        }

        void Advance(long watermark)
        {
            // A window [s, s + Size) is final once no bid at or before its end (s + Size, which BETWEEN includes) can arrive.
            pending.Clear();
            foreach (var (start, w) in windows)
            {
                if (start + Size <= watermark)
                {
                    pending.Add(start);
                }
            }
            pending.Sort();
            foreach (var start in pending)
            {
                Fire(start, windows[start]);
            }
        }

        foreach (ref readonly var e in events.AsSpan())
        {
            if (e.Kind != EventKind.Bid)
            {
                continue;
            }
            var b = e.Bid;
            var t = b.DateTime;
            var start = t - t % Size;
            var w = Get(start);
            if (b.Price > w.Max)
            {
                w.Max = b.Price;
                w.AtMax.Clear();
                w.AtMax.Add(b);
            }
            else if (b.Price == w.Max)
            {
                w.AtMax.Add(b);
            }
            if (t == start)
            {
                Get(start - Size).AtEnd.Add(b);
            }
            if (t > maxTimestamp)
            {
                var previous = maxTimestamp;
                maxTimestamp = t;
                if (previous == long.MinValue || (t - OutOfOrdernessMs - 1) / Size != (previous - OutOfOrdernessMs - 1) / Size)
                {
                    Advance(t - OutOfOrdernessMs - 1);
                }
            }
        }
        Advance(long.MaxValue);
        return output;
    }

    private struct NewPerson
    {
        public long Window;
        public string Name;
        public bool Emitted;
    }

    internal static ResultCollector<NewUserRow> Q8(Event[] events, ResultCollector<NewUserRow> output)
    {
        const long Size = 10_000;
        var persons = new Dictionary<long, NewPerson>();
        var early = new Dictionary<long, HashSet<long>>();
        foreach (ref readonly var e in events.AsSpan())
        {
            if (e.Kind == EventKind.Person)
            {
                var p = e.AsPerson;
                var w = p.DateTime - p.DateTime % Size;
                var emit = early.Remove(p.Id, out var windows) && windows.Contains(w);
                persons[p.Id] = new NewPerson { Window = w, Name = p.Name, Emitted = emit };
                if (emit)
                {
                    output.Add(new NewUserRow(p.Id, p.Name, w));
                }
            }
            else if (e.Kind == EventKind.Auction)
            {
                var a = e.AsAuction;
                var w = a.DateTime - a.DateTime % Size;
                ref var p = ref CollectionsMarshal.GetValueRefOrNullRef(persons, a.Seller);
                if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref p))
                {
                    ref var set = ref CollectionsMarshal.GetValueRefOrAddDefault(early, a.Seller, out _);
                    (set ??= []).Add(w);
                }
                else if (!p.Emitted && p.Window == w)
                {
                    p.Emitted = true;
                    output.Add(new NewUserRow(a.Seller, p.Name, w));
                }
            }
        }
        return output;
    }

    private struct Session
    {
        public long Start;
        public long Last;
        public long Count;
    }

    internal static ResultCollector<SessionRow> Q11(Event[] events, ResultCollector<SessionRow> output)
    {
        const long Gap = 10_000;
        // Per bidder, sessions sorted by start; out-of-order bids may fall before, into or between sessions.
        var sessions = new Dictionary<long, List<Session>>();
        var maxTimestamp = long.MinValue;
        var lastSweep = long.MinValue;
        var emptied = new List<long>();

        void Sweep(long watermark)
        {
            emptied.Clear();
            foreach (var (bidder, list) in sessions)
            {
                var n = 0;
                while (n < list.Count && list[n].Last + Gap - 1 <= watermark)
                {
                    var s = list[n];
                    output.Add(new SessionRow(bidder, s.Count, s.Start, s.Last + Gap));
                    n++;
                }
                if (n > 0)
                {
                    list.RemoveRange(0, n);
                    if (list.Count == 0)
                    {
                        emptied.Add(bidder);
                    }
                }
            }
            foreach (var bidder in emptied)
            {
                sessions.Remove(bidder);
            }
        }

        foreach (ref readonly var e in events.AsSpan())
        {
            if (e.Kind != EventKind.Bid)
            {
                continue;
            }
            var t = e.DateTime;
            ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(sessions, e.Bid.Bidder, out _);
            list ??= [];
            // Find the sessions [start, last + gap) that [t, t + gap) touches, and merge them all with the bid.
            var merged = new Session { Start = t, Last = t, Count = 1 };
            var first = -1;
            var count = 0;
            for (var i = 0; i < list.Count; i++)
            {
                var s = list[i];
                if (s.Start <= t + Gap && s.Last + Gap >= t)
                {
                    if (first < 0)
                    {
                        first = i;
                    }
                    count++;
                    merged.Start = Math.Min(merged.Start, s.Start);
                    merged.Last = Math.Max(merged.Last, s.Last);
                    merged.Count += s.Count;
                }
                else if (s.Start > t + Gap)
                {
                    break;
                }
            }
            if (first < 0)
            {
                var at = 0;
                while (at < list.Count && list[at].Start < t)
                {
                    at++;
                }
                list.Insert(at, merged);
            }
            else
            {
                list[first] = merged;
                if (count > 1)
                {
                    list.RemoveRange(first + 1, count - 1);
                }
            }
            if (t > maxTimestamp)
            {
                maxTimestamp = t;
                // Sweeping every bidder costs O(bidders); once per second of event time is enough.
                if (t - lastSweep >= 1000)
                {
                    lastSweep = t;
                    Sweep(t - OutOfOrdernessMs - 1);
                }
            }
        }
        Sweep(long.MaxValue - Gap);
        return output;
    }

    internal static ResultCollector<ProcessingTimeCountRow> Q12(Event[] events, ResultCollector<ProcessingTimeCountRow> output)
    {
        const long Size = 10_000;
        var counts = new Dictionary<long, long>();
        var epochOffset = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - Environment.TickCount64;
        long ProcessingTimeMs() => epochOffset + Environment.TickCount64;
        var windowStart = ProcessingTimeMs();
        windowStart -= windowStart % Size;

        void Flush(long start)
        {
            foreach (var (bidder, n) in counts)
            {
                output.Add(new ProcessingTimeCountRow(bidder, n, start, start + Size));
            }
            counts.Clear();
        }

        foreach (ref readonly var e in events.AsSpan())
        {
            if (e.Kind != EventKind.Bid)
            {
                continue;
            }
            var now = ProcessingTimeMs();
            if (now >= windowStart + Size)
            {
                Flush(windowStart);
                windowStart = now - now % Size;
            }
            CollectionsMarshal.GetValueRefOrAddDefault(counts, e.Bid.Bidder, out _)++;
        }
        Flush(windowStart);
        return output;
    }
}
