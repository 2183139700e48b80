using Sluice.Nexmark.Model;
using Sluice.Nexmark.Results;
using Sluice.State;

namespace Sluice.Nexmark.Streaming;

/// <summary>Counts records (struct accumulator, no allocation).</summary>
/// <typeparam name="T">Record type.</typeparam>
internal sealed class CountAggregate<T> : IAggregateFunction<T, long, long>
{
    public static readonly CountAggregate<T> Instance = new();

    public long CreateAccumulator() => 0;

    public long Add(long accumulator, T value) => accumulator + 1;

    public long GetResult(long accumulator) => accumulator;

    public long Merge(long a, long b) => a + b;
}

/// <summary>q3: incremental inner join of OR/ID/CA persons (first input) with category-10 auctions (second), on seller = id.</summary>
internal sealed class LocalItemJoin : KeyedCoProcessFunction<long, Person, Auction, LocalItemRow>
{
    private IValueState<Person> _person = null!;
    private IListState<long> _waiting = null!;

    public override void Open(IRuntimeContext context)
    {
        _person = context.State.GetState(new ValueStateDescriptor<Person>("person"));
        _waiting = context.State.GetListState(new ListStateDescriptor<long>("waiting-auctions"));
    }

    public override void ProcessElement1(Person value, KeyedProcessContext<long> context, ICollector<LocalItemRow> output)
    {
        _person.Update(value);
        var waiting = _waiting.Get();
        if (waiting.Count > 0)
        {
            for (var i = 0; i < waiting.Count; i++)
            {
                output.Collect(new LocalItemRow(value.Name, value.City, value.State, waiting[i]));
            }
            _waiting.Clear();
        }
    }

    public override void ProcessElement2(Auction value, KeyedProcessContext<long> context, ICollector<LocalItemRow> output)
    {
        if (_person.TryGet(out var p))
        {
            output.Collect(new LocalItemRow(p.Name, p.City, p.State, value.Id));
        }
        else
        {
            _waiting.Add(value.Id);
        }
    }
}

/// <summary>A change of an auction's winning bid (q4 stage 1 → 2); <see cref="OldMax"/> is −1 for the first.</summary>
internal readonly record struct WinningBidChange(long Category, long OldMax, long NewMax);

/// <summary>An open auction's window and current winning bid (q4 state).</summary>
internal record struct AuctionWindow(long DateTime, long Expires, long Category, long MaxPrice);

/// <summary>
/// q4 stage 1: auctions (first input) joined with their bids (second) where the bid falls in [dateTime, expires];
/// emits each change of the auction's maximum price. Bids that arrive before their auction wait in state.
/// </summary>
internal sealed class WinningBidJoin : KeyedCoProcessFunction<long, Auction, Bid, WinningBidChange>
{
    private IValueState<AuctionWindow> _auction = null!;
    private IListState<(long Price, long DateTime)> _early = null!;

    public override void Open(IRuntimeContext context)
    {
        _auction = context.State.GetState(new ValueStateDescriptor<AuctionWindow>("auction"));
        _early = context.State.GetListState(new ListStateDescriptor<(long, long)>("early-bids"));
    }

    public override void ProcessElement1(Auction value, KeyedProcessContext<long> context, ICollector<WinningBidChange> output)
    {
        var a = new AuctionWindow(value.DateTime, value.Expires, value.Category, -1);
        var early = _early.Get();
        if (early.Count > 0)
        {
            for (var i = 0; i < early.Count; i++)
            {
                var (price, time) = early[i];
                if (time >= a.DateTime && time <= a.Expires && price > a.MaxPrice)
                {
                    output.Collect(new WinningBidChange(a.Category, a.MaxPrice, price));
                    a.MaxPrice = price;
                }
            }
            _early.Clear();
        }
        _auction.Update(a);
    }

    public override void ProcessElement2(Bid value, KeyedProcessContext<long> context, ICollector<WinningBidChange> output)
    {
        if (!_auction.TryGet(out var a))
        {
            _early.Add((value.Price, value.DateTime));
            return;
        }
        if (value.DateTime >= a.DateTime && value.DateTime <= a.Expires && value.Price > a.MaxPrice)
        {
            output.Collect(new WinningBidChange(a.Category, a.MaxPrice, value.Price));
            a.MaxPrice = value.Price;
            _auction.Update(a);
        }
    }
}

/// <summary>q4 stage 2: per category, the running (integer) average of its auctions' winning bids.</summary>
internal sealed class CategoryAverage : KeyedProcessFunction<long, WinningBidChange, CategoryAverageRow>
{
    private IValueState<(long Sum, long Count)> _sum = null!;

    public override void Open(IRuntimeContext context) =>
        _sum = context.State.GetState(new ValueStateDescriptor<(long, long)>("sum-count"));

    public override void ProcessElement(WinningBidChange value, KeyedProcessContext<long> context, ICollector<CategoryAverageRow> output)
    {
        _sum.TryGet(out var s);
        if (value.OldMax < 0)
        {
            s.Count++;
            s.Sum += value.NewMax;
        }
        else
        {
            s.Sum += value.NewMax - value.OldMax;
        }
        _sum.Update(s);
        output.Collect(new CategoryAverageRow(value.Category, s.Sum / s.Count));
    }
}

/// <summary>An auction's bid count in one sliding window (q5 stage 1 → 2).</summary>
internal readonly record struct AuctionCount(long Auction, long Count, long WindowStart);

/// <summary>
/// q5 stage 2, keyed by window start: keeps the auctions with the highest count of the window and emits them when
/// the watermark passes the window (all stage-1 results of a window carry its end − 1 as timestamp).
/// </summary>
internal sealed class HotItems : KeyedProcessFunction<long, AuctionCount, HotItemRow>
{
    private IValueState<long> _max = null!;
    private IListState<AuctionCount> _top = null!;

    public override void Open(IRuntimeContext context)
    {
        _max = context.State.GetState(new ValueStateDescriptor<long>("max"));
        _top = context.State.GetListState(new ListStateDescriptor<AuctionCount>("top"));
    }

    public override void ProcessElement(AuctionCount value, KeyedProcessContext<long> context, ICollector<HotItemRow> output)
    {
        var max = _max.Value;
        if (value.Count > max)
        {
            _max.Update(value.Count);
            _top.Clear();
            _top.Add(value);
            context.TimerService.RegisterEventTimeTimer(context.Timestamp);
        }
        else if (value.Count == max)
        {
            _top.Add(value);
        }
    }

    public override void OnTimer(long timestamp, KeyedProcessContext<long> context, ICollector<HotItemRow> output)
    {
        var top = _top.Get();
        for (var i = 0; i < top.Count; i++)
        {
            output.Collect(new HotItemRow(top[i].Auction, top[i].Count, top[i].WindowStart));
        }
        _top.Clear();
        _max.Clear();
    }
}

/// <summary>
/// A bid routed to a q7 window: as a member of its own tumbling window, or (<see cref="AtEnd"/>) as a bid at exactly
/// the previous window's end, which Flink's <c>BETWEEN window_end - 10 s AND window_end</c> also matches. The bid is
/// projected to the result's columns before the key-by (what Flink's planner does by projection push-down): 56 bytes
/// and no object references, where the whole <see cref="Bid"/> (with its channel and URL strings) made 72.
/// </summary>
internal readonly record struct WindowedBid(long WindowStart, BidRow Bid, bool AtEnd);

/// <summary>q7, keyed by window start: the window's highest price and the bids at that price; emitted at the window end.</summary>
internal sealed class HighestBid : KeyedProcessFunction<long, WindowedBid, BidRow>
{
    private const long Size = 10_000;
    private IValueState<long> _max = null!;
    private IListState<BidRow> _atMax = null!;
    private IListState<BidRow> _atEnd = null!;

    public override void Open(IRuntimeContext context)
    {
        _max = context.State.GetState(new ValueStateDescriptor<long>("max"));
        _atMax = context.State.GetListState(new ListStateDescriptor<BidRow>("at-max"));
        _atEnd = context.State.GetListState(new ListStateDescriptor<BidRow>("at-end"));
    }

    public override void ProcessElement(WindowedBid value, KeyedProcessContext<long> context, ICollector<BidRow> output)
    {
        context.TimerService.RegisterEventTimeTimer(value.WindowStart + Size);
        if (value.AtEnd)
        {
            _atEnd.Add(value.Bid);
            return;
        }
        var price = value.Bid.Price;
        if (!_max.TryGet(out var max) || price > max)
        {
            _max.Update(price);
            _atMax.Clear();
            _atMax.Add(value.Bid);
        }
        else if (price == max)
        {
            _atMax.Add(value.Bid);
        }
    }

    public override void OnTimer(long timestamp, KeyedProcessContext<long> context, ICollector<BidRow> output)
    {
        if (_max.TryGet(out var max))
        {
            var top = _atMax.Get();
            for (var i = 0; i < top.Count; i++)
            {
                output.Collect(top[i]);
            }
            var atEnd = _atEnd.Get();
            for (var i = 0; i < atEnd.Count; i++)
            {
                if (atEnd[i].Price == max)
                {
                    output.Collect(atEnd[i]);
                }
            }
        }
        _max.Clear();
        _atMax.Clear();
        _atEnd.Clear();
    }
}

/// <summary>A person's registration window in q8 state.</summary>
internal record struct RegisteredPerson(long WindowStart, string Name, bool Emitted);

/// <summary>
/// q8: persons (first input, keyed by id) and auctions (second, keyed by seller) joined within the same 10 s tumbling
/// window; emits (id, name, window start) once, as soon as both sides are present.
/// </summary>
internal sealed class NewUserJoin : KeyedCoProcessFunction<long, Person, Auction, NewUserRow>
{
    private const long Size = 10_000;
    private IValueState<RegisteredPerson> _person = null!;
    private IMapState<long, bool> _earlyWindows = null!;

    public override void Open(IRuntimeContext context)
    {
        _person = context.State.GetState(new ValueStateDescriptor<RegisteredPerson>("person"));
        _earlyWindows = context.State.GetMapState(new MapStateDescriptor<long, bool>("early-auction-windows"));
    }

    public override void ProcessElement1(Person value, KeyedProcessContext<long> context, ICollector<NewUserRow> output)
    {
        var window = value.DateTime - value.DateTime % Size;
        var emit = !_earlyWindows.IsEmpty && _earlyWindows.TryGetValue(window, out _);
        _earlyWindows.Clear();
        _person.Update(new RegisteredPerson(window, value.Name, emit));
        if (emit)
        {
            output.Collect(new NewUserRow(value.Id, value.Name, window));
        }
    }

    public override void ProcessElement2(Auction value, KeyedProcessContext<long> context, ICollector<NewUserRow> output)
    {
        var window = value.DateTime - value.DateTime % Size;
        if (_person.TryGet(out var p))
        {
            if (!p.Emitted && p.WindowStart == window)
            {
                _person.Update(p with { Emitted = true });
                output.Collect(new NewUserRow(value.Seller, p.Name, window));
            }
        }
        else
        {
            _earlyWindows.Put(window, true);
        }
    }
}
