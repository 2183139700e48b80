using Sluice.Nexmark.Model;
using Sluice.Nexmark.Queries;
using Sluice.Nexmark.Results;
using Sluice.Windowing;

namespace Sluice.Nexmark.Streaming;

/// <summary>
/// The queries on Sluice's DataStream API. Events come from a parallel in-memory source with the Flink DDL's
/// watermark (bounded out-of-orderness, 4 s); results go to a counting/checksumming sink (the blackhole of the Flink
/// benchmark).
/// </summary>
public sealed class SluiceEngine : IQueryEngine
{
    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(10);

    /// <summary>Creates the engine.</summary>
    /// <param name="mode">Parallel threads (benchmarks) or the deterministic single-thread mode (tests).</param>
    public SluiceEngine(ExecutionMode mode = ExecutionMode.Parallel) => Mode = mode;

    /// <summary>The execution mode jobs run in.</summary>
    public ExecutionMode Mode { get; }

    /// <summary>Out-of-orderness bound of the watermark, ms (the Flink DDL's 4 s).</summary>
    public long MaxOutOfOrdernessMs { get; init; } = 4000;

    /// <inheritdoc />
    public NexmarkEngine Engine => NexmarkEngine.Sluice;

    /// <inheritdoc />
    public bool Supports(NexmarkQuery query) => true;

    /// <inheritdoc />
    public double Prepare(Event[] events, int parallelism) => 0;

    /// <inheritdoc />
    public QueryOutput Run(NexmarkQuery query, Event[] events, QueryRunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(settings);
        var checkpointDir = settings.CheckpointInterval is null ? null : Path.Combine(Path.GetTempPath(), "sluice-nexmark-" + Guid.NewGuid().ToString("N"));
        var env = StreamEnvironment.Create(new JobOptions
        {
            JobName = "nexmark-" + query.Name(),
            Parallelism = settings.Parallelism,
            BatchSize = 1024,
            ChannelCapacity = 4,
            Mode = Mode,
            Checkpoints = checkpointDir is null ? null : Checkpoints.CheckpointOptions.InDirectory(checkpointDir, settings.CheckpointInterval!.Value),
            StateBackend = settings.StateBackend ?? State.HeapStateBackend.Instance,
        });
        try
        {
            var result = Build(query, env, events, settings.KeepRows);
            env.ExecuteAsync().GetAwaiter().GetResult();
            return result();
        }
        finally
        {
            if (checkpointDir is not null && Directory.Exists(checkpointDir))
            {
                Directory.Delete(checkpointDir, recursive: true);
            }
        }
    }

    /// <summary>Adds <paramref name="query"/> to <paramref name="env"/>; the returned function reads the results after execution.</summary>
    public Func<QueryOutput> Build(NexmarkQuery query, StreamEnvironment env, Event[] events, bool keepRows)
    {
        ArgumentNullException.ThrowIfNull(env);
        var watermarks = WatermarkStrategy<Event>.ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(MaxOutOfOrdernessMs));
        var source = env.FromSource(new EventArraySource(events), watermarks, "Nexmark");
        switch (query)
        {
            case NexmarkQuery.Q0:
                {
                    var sink = new CollectorSink<BidRow>(keepRows);
                    source.FlatMap<BidRow>(static (e, o) =>
                    {
                        if (e.Kind == EventKind.Bid)
                        {
                            o.Collect(BidRow.From(e.Bid));
                        }
                    }, "Bids").SinkTo(sink, "Blackhole");
                    return sink.Result;
                }
            case NexmarkQuery.Q1:
                {
                    var sink = new CollectorSink<CurrencyRow>(keepRows);
                    source.FlatMap<CurrencyRow>(static (e, o) =>
                    {
                        if (e.Kind == EventKind.Bid)
                        {
                            o.Collect(CurrencyRow.From(e.Bid));
                        }
                    }, "ToEuro").SinkTo(sink, "Blackhole");
                    return sink.Result;
                }
            case NexmarkQuery.Q2:
                {
                    var sink = new CollectorSink<AuctionPriceRow>(keepRows);
                    source.FlatMap<AuctionPriceRow>(static (e, o) =>
                    {
                        if (e.Kind == EventKind.Bid && e.Bid.Auction % 123 == 0)
                        {
                            o.Collect(new AuctionPriceRow(e.Bid.Auction, e.Bid.Price));
                        }
                    }, "Select").SinkTo(sink, "Blackhole");
                    return sink.Result;
                }
            case NexmarkQuery.Q3:
                {
                    var sink = new CollectorSink<LocalItemRow>(keepRows);
                    var persons = source.FlatMap<Person>(static (e, o) =>
                    {
                        if (e.Kind == EventKind.Person && e.AsPerson.State is "OR" or "ID" or "CA")
                        {
                            o.Collect(e.AsPerson);
                        }
                    }, "Sellers");
                    var auctions = source.FlatMap<Auction>(static (e, o) =>
                    {
                        if (e.Kind == EventKind.Auction && e.AsAuction.Category == 10)
                        {
                            o.Collect(e.AsAuction);
                        }
                    }, "Category10");
                    persons.KeyBy(static p => p.Id).Connect(auctions.KeyBy(static a => a.Seller))
                        .Process(new LocalItemJoin(), "Join").SinkTo(sink, "Blackhole");
                    return sink.Result;
                }
            case NexmarkQuery.Q4:
                {
                    var sink = new UpsertCollectorSink<long, CategoryAverageRow>(static r => r.Category, keepRows);
                    var auctions = Auctions(source);
                    var bids = Bids(source);
                    auctions.KeyBy(static a => a.Id).Connect(bids.KeyBy(static b => b.Auction))
                        .Process(new WinningBidJoin(), "WinningBid")
                        .KeyBy(static c => c.Category).Process(new CategoryAverage(), "Average")
                        .SinkTo(sink, "Upsert");
                    return sink.Result;
                }
            case NexmarkQuery.Q5:
                {
                    var sink = new CollectorSink<HotItemRow>(keepRows);
                    Bids(source).KeyBy(static b => b.Auction)
                        .Window(SlidingEventTimeWindows.Of(s_window, TimeSpan.FromSeconds(2)))
                        .Aggregate(CountAggregate<Bid>.Instance, static (auction, window, count) => new AuctionCount(auction, count, window.Start), "BidsPerAuction")
                        .KeyBy(static c => c.WindowStart).Process(new HotItems(), "HotItems")
                        .SinkTo(sink, "Blackhole");
                    return sink.Result;
                }
            case NexmarkQuery.Q7:
                {
                    var sink = new CollectorSink<BidRow>(keepRows);
                    source.FlatMap<WindowedBid>(static (e, o) =>
                    {
                        if (e.Kind != EventKind.Bid)
                        {
                            return;
                        }
                        var t = e.DateTime;
                        var start = t - t % 10_000;
                        var row = BidRow.From(e.Bid);
                        o.Collect(new WindowedBid(start, row, false));
                        if (t == start)
                        {
                            o.Collect(new WindowedBid(start - 10_000, row, true));
                        }
                    }, "Windows").KeyBy(static w => w.WindowStart).Process(new HighestBid(), "HighestBid")
                        .SinkTo(sink, "Blackhole");
                    return sink.Result;
                }
            case NexmarkQuery.Q8:
                {
                    var sink = new CollectorSink<NewUserRow>(keepRows);
                    Persons(source).KeyBy(static p => p.Id).Connect(Auctions(source).KeyBy(static a => a.Seller))
                        .Process(new NewUserJoin(), "WindowJoin").SinkTo(sink, "Blackhole");
                    return sink.Result;
                }
            case NexmarkQuery.Q11:
                {
                    var sink = new CollectorSink<SessionRow>(keepRows);
                    Bids(source).KeyBy(static b => b.Bidder)
                        .Window(EventTimeSessionWindows.WithGap(s_window))
                        .Aggregate(CountAggregate<Bid>.Instance, static (bidder, window, count) => new SessionRow(bidder, count, window.Start, window.End), "Sessions")
                        .SinkTo(sink, "Blackhole");
                    return sink.Result;
                }
            case NexmarkQuery.Q12:
                {
                    var sink = new CollectorSink<ProcessingTimeCountRow>(keepRows);
                    Bids(source).KeyBy(static b => b.Bidder)
                        .Window(TumblingProcessingTimeWindows.Of(s_window))
                        .Aggregate(CountAggregate<Bid>.Instance, static (bidder, window, count) => new ProcessingTimeCountRow(bidder, count, window.Start, window.End), "BidsPerBidder")
                        .SinkTo(sink, "Blackhole");
                    return sink.Result;
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(query), query, "Unknown query.");
        }
    }

    private static DataStream<Bid> Bids(DataStream<Event> events) => events.FlatMap<Bid>(static (e, o) =>
    {
        if (e.Kind == EventKind.Bid)
        {
            o.Collect(e.Bid);
        }
    }, "Bids");

    private static DataStream<Auction> Auctions(DataStream<Event> events) => events.FlatMap<Auction>(static (e, o) =>
    {
        if (e.Kind == EventKind.Auction)
        {
            o.Collect(e.AsAuction);
        }
    }, "Auctions");

    private static DataStream<Person> Persons(DataStream<Event> events) => events.FlatMap<Person>(static (e, o) =>
    {
        if (e.Kind == EventKind.Person)
        {
            o.Collect(e.AsPerson);
        }
    }, "Persons");

    /// <inheritdoc />
    public void Dispose() { }
}
