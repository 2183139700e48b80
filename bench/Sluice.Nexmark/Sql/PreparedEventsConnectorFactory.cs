using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Nexmark;
using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Nexmark.Sql;

/// <summary>
/// The bench's 'nexmark' connector: the <c>datagen</c> table of ddl_gen.sql (<see cref="NexmarkSchema.Physical"/>) read from the
/// pre-generated events every engine reads, instead of generated. It accepts the real connector's options (so the DDL
/// runs unchanged) and ignores them: the events decide the rows. Parallel like <c>EventArraySource</c>: subtask
/// <c>s</c> of <c>p</c> reads blocks <c>s, s+p, …</c> of <see cref="BlockSize"/> events and converts each block into
/// rows as it emits it — the conversion a real connector does, measured with the query — with each event's time as
/// timestamp. Extra strings come materialized (<paramref name="extras"/>, one per event, made before the measured time,
/// as the DataStream engine's events carry theirs).
/// </summary>
/// <remarks>
/// <b>Rows are reused.</b> A reader converts every block into the same <see cref="BlockSize"/> rows (and their nested
/// rows), so a row is valid only until the reader's next poll: a consumer must copy what it keeps. The SQL scan does —
/// the datagen table's computed <c>dateTime</c> makes it project every row into a new one before anything else sees
/// it, and the nexmark views read only scalar fields of the nested rows — so the rows never escape the scan (a query
/// selecting a whole nested ROW column would keep a reused row: not for this connector). Thread-safe: readers only
/// read the shared arrays.
/// </remarks>
internal sealed class PreparedEventsConnectorFactory(Nexmark.Model.Event[] events, string[] extras) : IConnectorFactory
{
    /// <summary>Rows per block handed to one subtask.</summary>
    public const int BlockSize = 1024;

    private static readonly NexmarkConnectorFactory s_real = new();

    /// <summary>The extra string of <paramref name="e"/>'s person, auction or bid.</summary>
    public static Nexmark.Model.ExtraString Extra(in Nexmark.Model.Event e) => e.Kind switch
    {
        Nexmark.Model.EventKind.Person => e.AsPerson.Extra,
        Nexmark.Model.EventKind.Auction => e.AsAuction.Extra,
        _ => e.Bid.Extra,
    };

    /// <inheritdoc />
    public string Identifier => s_real.Identifier;

    /// <inheritdoc />
    public string Description => "Reads pre-generated Nexmark events as the datagen table (bench only).";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Source;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_real.Options;

    /// <inheritdoc />
    /// <remarks>As the real connector, which gives ddl_gen.sql's columns <see cref="NexmarkSchema.Physical"/>, the schema of every row here.</remarks>
    public Schema ResolveSchema(Schema? declared, ConfigOptions options) => s_real.ResolveSchema(declared, options);

    /// <inheritdoc />
    public ISource<Row> CreateSource(ConnectorContext context) => new Source(events, extras);

    private sealed class Source(Nexmark.Model.Event[] events, string[] extras) : ISource<Row>
    {
        public bool IsBounded => true;

        public int MaxParallelism => 0;

        public ISourceReader<Row> CreateReader(SourceReaderContext context) => new Reader(events, extras, context);
    }

    private sealed class Reader : ISourceReader<Row>
    {
        private static readonly Schema s_person = NexmarkSchema.Physical[1].Type.Fields!;
        private static readonly Schema s_auction = NexmarkSchema.Physical[2].Type.Fields!;
        private static readonly Schema s_bid = NexmarkSchema.Physical[3].Type.Fields!;

        private readonly Nexmark.Model.Event[] _events;
        private readonly string[] _extras;
        private readonly SourceReaderContext _context;
        private readonly Row[] _rows = new Row[BlockSize];
        private readonly Row[] _persons = new Row[BlockSize];
        private readonly Row[] _auctions = new Row[BlockSize];
        private readonly Row[] _bids = new Row[BlockSize];
        private readonly long[] _timestamps = new long[BlockSize];
        private long _block;

        public Reader(Nexmark.Model.Event[] events, string[] extras, SourceReaderContext context)
        {
            _events = events;
            _extras = extras;
            _context = context;
            _block = context.SubtaskIndex;
            for (var i = 0; i < BlockSize; i++)
            {
                _rows[i] = new Row(NexmarkSchema.Physical);
                _persons[i] = new Row(s_person);
                _auctions[i] = new Row(s_auction);
                _bids[i] = new Row(s_bid);
            }
        }

        public int SplitCount => 1;

        public SourceStatus PollNext(ISourceOutput<Row> output)
        {
            var start = _block * BlockSize;
            if (start >= _events.LongLength)
            {
                return SourceStatus.Finished;
            }
            var length = (int)(Math.Min(_events.LongLength, start + BlockSize) - start);
            for (var i = 0; i < length; i++)
            {
                Convert(i, (int)start + i);
            }
            output.CollectBatch(0, _rows.AsSpan(0, length), _timestamps.AsSpan(0, length));
            _block += _context.Parallelism;
            return _block * BlockSize >= _events.LongLength ? SourceStatus.Finished : SourceStatus.MoreAvailable;
        }

        /// <summary>Writes event <paramref name="index"/> into slot <paramref name="slot"/>'s rows (as NexmarkSchema.ToRow does, without dateTime).</summary>
        private void Convert(int slot, int index)
        {
            ref readonly var e = ref _events[index];
            var row = _rows[slot];
            row.SetInt32(0, (int)e.Kind);
            _timestamps[slot] = e.DateTime;
            switch (e.Kind)
            {
                case Nexmark.Model.EventKind.Person:
                    var p = e.AsPerson;
                    var person = _persons[slot];
                    person.SetInt64(0, p.Id);
                    person.SetString(1, p.Name);
                    person.SetString(2, p.EmailAddress);
                    person.SetString(3, p.CreditCard);
                    person.SetString(4, p.City);
                    person.SetString(5, p.State);
                    person.SetTimestamp(6, NexmarkSchema.Timestamp(p.DateTime));
                    person.SetString(7, _extras[index]);
                    row.SetRow(1, person);
                    row.SetNull(2);
                    row.SetNull(3);
                    break;
                case Nexmark.Model.EventKind.Auction:
                    var a = e.AsAuction;
                    var auction = _auctions[slot];
                    auction.SetInt64(0, a.Id);
                    auction.SetString(1, a.ItemName);
                    auction.SetString(2, a.Description);
                    auction.SetInt64(3, a.InitialBid);
                    auction.SetInt64(4, a.Reserve);
                    auction.SetTimestamp(5, NexmarkSchema.Timestamp(a.DateTime));
                    auction.SetTimestamp(6, NexmarkSchema.Timestamp(a.Expires));
                    auction.SetInt64(7, a.Seller);
                    auction.SetInt64(8, a.Category);
                    auction.SetString(9, _extras[index]);
                    row.SetNull(1);
                    row.SetRow(2, auction);
                    row.SetNull(3);
                    break;
                default:
                    var b = e.Bid;
                    var bid = _bids[slot];
                    bid.SetInt64(0, b.Auction);
                    bid.SetInt64(1, b.Bidder);
                    bid.SetInt64(2, b.Price);
                    bid.SetString(3, b.Channel);
                    bid.SetString(4, b.Url);
                    bid.SetTimestamp(5, NexmarkSchema.Timestamp(b.DateTime));
                    bid.SetString(6, _extras[index]);
                    row.SetNull(1);
                    row.SetNull(2);
                    row.SetRow(3, bid);
                    break;
            }
        }

        public void Dispose() { }
    }
}
