using System.Globalization;
using Sluice.Nexmark.Model;

namespace Sluice.Nexmark.Generation;

/// <summary>
/// The Nexmark event generator, following the reference implementation (nexmark/nexmark <c>NexmarkGenerator</c>,
/// <c>PersonGenerator</c>, <c>AuctionGenerator</c>, <c>BidGenerator</c>): event <c>n</c> is a person, auction or bid by
/// its id modulo the total proportion; ids, hot sellers/bidders/auctions, prices (10^U(0,6) dollars in cents),
/// categories, states, auction lengths and timestamps are computed as there. One deliberate difference: each event
/// draws from its own random stream seeded by (seed, event id) instead of one sequential stream, so any slice of the
/// sequence can be generated independently (in parallel, or by one source subtask) with identical results. The
/// reference also adds FIRST_PERSON_ID to bidders twice (a known bug); here it is added once.
/// </summary>
public sealed class NexmarkGenerator
{
    private const int MinStringLength = 3;
    private const int PersonIdLead = 10;
    private const int AuctionIdLead = 10;
    private const int HotSellerRatio = 100;
    private const int HotAuctionRatio = 100;
    private const int HotBidderRatio = 100;
    private const int HotChannelsRatio = 2;
    private const int ChannelCount = 10_000;

    private static readonly string[] s_states = ["AZ", "CA", "ID", "OR", "WA", "WY"];
    private static readonly string[] s_cities = ["Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"];
    private static readonly string[] s_firstNames = ["Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"];
    private static readonly string[] s_lastNames = ["Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"];
    private static readonly string[] s_names = CreateNames();
    private static readonly string[] s_hotChannels = ["Google", "Facebook", "Baidu", "Apple"];
    private static readonly string[] s_hotUrls = CreateHotUrls();
    private static readonly (string Channel, string Url)[] s_channels = CreateChannels();

    private readonly GeneratorConfig _config;

    /// <summary>Creates a generator.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public NexmarkGenerator(GeneratorConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
    }

    /// <summary>The settings.</summary>
    public GeneratorConfig Config => _config;

    /// <summary>Generates all <see cref="GeneratorConfig.EventCount"/> events in stream order, using every core.</summary>
    public static Event[] GenerateAll(GeneratorConfig config)
    {
        var generator = new NexmarkGenerator(config);
        var events = new Event[config.EventCount];
        const int Chunk = 1 << 16;
        var chunks = (int)((events.LongLength + Chunk - 1) / Chunk);
        Parallel.For(0, chunks, c =>
        {
            var start = (long)c * Chunk;
            var end = Math.Min(events.LongLength, start + Chunk);
            for (var n = start; n < end; n++)
            {
                events[n] = generator.Next(n);
            }
        });
        return events;
    }

    /// <summary>The event at position <paramref name="n"/> (0-based) of the stream. Thread-safe.</summary>
    public Event Next(long n)
    {
        var c = _config;
        var adjusted = AdjustedEventNumber(n);
        var eventId = adjusted;
        var timestamp = TimestampForEvent(adjusted);
        var random = SplitMix64.ForEvent(c.Seed, eventId);
        var rem = eventId % c.TotalProportion;
        if (rem < c.PersonProportion)
        {
            return Event.Of(NextPerson(eventId, ref random, timestamp));
        }
        if (rem < c.PersonProportion + c.AuctionProportion)
        {
            return Event.Of(NextAuction(adjusted, eventId, ref random, timestamp));
        }
        return Event.Of(NextBid(eventId, ref random, timestamp));
    }

    /// <summary>Event number <paramref name="n"/> shuffled within its out-of-order group (spec: <c>nextAdjustedEventNumber</c>).</summary>
    public long AdjustedEventNumber(long n)
    {
        var g = _config.OutOfOrderGroupSize;
        return n / g * g + n * 953 % g;
    }

    /// <summary>Event time of the event with number <paramref name="eventNumber"/>.</summary>
    public long TimestampForEvent(long eventNumber) => _config.BaseTime + (long)(eventNumber * _config.InterEventDelayUs) / 1000L;

    private Person NextPerson(long eventId, ref SplitMix64 random, long timestamp)
    {
        var id = LastBase0PersonId(eventId) + GeneratorConfig.FirstPersonId;
        var name = s_names[random.NextInt(s_firstNames.Length) * s_lastNames.Length + random.NextInt(s_lastNames.Length)];
        var email = NextString(ref random, 7) + "@" + NextString(ref random, 5) + ".com";
        var creditCard = string.Create(CultureInfo.InvariantCulture,
            $"{random.NextInt(10_000):D4} {random.NextInt(10_000):D4} {random.NextInt(10_000):D4} {random.NextInt(10_000):D4}");
        var city = s_cities[random.NextInt(s_cities.Length)];
        var state = s_states[random.NextInt(s_states.Length)];
        var size = 8 + name.Length + email.Length + creditCard.Length + city.Length + state.Length;
        var extra = NextExtra(ref random, size, _config.AvgPersonByteSize);
        return new Person(id, name, email, creditCard, city, state, timestamp, extra);
    }

    private Auction NextAuction(long adjustedEventNumber, long eventId, ref SplitMix64 random, long timestamp)
    {
        var c = _config;
        var id = LastBase0AuctionId(eventId) + GeneratorConfig.FirstAuctionId;
        long seller = random.NextInt(c.HotSellersRatio) > 0
            ? LastBase0PersonId(eventId) / HotSellerRatio * HotSellerRatio
            : NextBase0PersonId(eventId, ref random);
        seller += GeneratorConfig.FirstPersonId;
        var category = GeneratorConfig.FirstCategoryId + random.NextInt(GeneratorConfig.CategoryCount);
        var initialBid = NextPrice(ref random);
        var expires = timestamp + NextAuctionLengthMs(adjustedEventNumber, ref random, timestamp);
        var name = NextString(ref random, 20);
        var description = NextString(ref random, 100);
        var reserve = initialBid + NextPrice(ref random);
        var size = 8 + name.Length + description.Length + 8 + 8 + 8 + 8 + 8;
        var extra = NextExtra(ref random, size, c.AvgAuctionByteSize);
        return new Auction(id, name, description, initialBid, reserve, timestamp, expires, seller, category, extra);
    }

    private Bid NextBid(long eventId, ref SplitMix64 random, long timestamp)
    {
        var c = _config;
        long auction = random.NextInt(c.HotAuctionRatio) > 0
            ? LastBase0AuctionId(eventId) / HotAuctionRatio * HotAuctionRatio
            : NextBase0AuctionId(eventId, ref random);
        auction += GeneratorConfig.FirstAuctionId;
        long bidder = random.NextInt(c.HotBiddersRatio) > 0
            ? LastBase0PersonId(eventId) / HotBidderRatio * HotBidderRatio + 1
            : NextBase0PersonId(eventId, ref random);
        bidder += GeneratorConfig.FirstPersonId;
        var price = NextPrice(ref random);
        string channel;
        string url;
        if (random.NextInt(HotChannelsRatio) > 0)
        {
            var i = random.NextInt(s_hotChannels.Length);
            channel = s_hotChannels[i];
            url = s_hotUrls[i];
        }
        else
        {
            (channel, url) = s_channels[random.NextInt(ChannelCount)];
        }
        var extra = NextExtra(ref random, 8 + 8 + 8 + 8, c.AvgBidByteSize);
        return new Bid(auction, bidder, price, channel, url, timestamp, extra);
    }

    /// <summary>The last valid person id (base 0) at <paramref name="eventId"/>: the current one when a person is due.</summary>
    public long LastBase0PersonId(long eventId)
    {
        var c = _config;
        var epoch = eventId / c.TotalProportion;
        var offset = eventId % c.TotalProportion;
        if (offset >= c.PersonProportion)
        {
            offset = c.PersonProportion - 1;
        }
        return epoch * c.PersonProportion + offset;
    }

    /// <summary>The last valid auction id (base 0) at <paramref name="eventId"/>: the current one when an auction is due.</summary>
    public long LastBase0AuctionId(long eventId)
    {
        var c = _config;
        var epoch = eventId / c.TotalProportion;
        var offset = eventId % c.TotalProportion;
        if (offset < c.PersonProportion)
        {
            epoch--;
            offset = c.AuctionProportion - 1;
        }
        else if (offset >= c.PersonProportion + c.AuctionProportion)
        {
            offset = c.AuctionProportion - 1;
        }
        else
        {
            offset -= c.PersonProportion;
        }
        return epoch * c.AuctionProportion + offset;
    }

    private long NextBase0PersonId(long eventId, ref SplitMix64 random)
    {
        var people = LastBase0PersonId(eventId) + 1;
        var active = Math.Min(people, _config.ActivePeople);
        var n = random.NextLong(active + PersonIdLead);
        return people - active + n;
    }

    private long NextBase0AuctionId(long eventId, ref SplitMix64 random)
    {
        var max = LastBase0AuctionId(eventId);
        var min = Math.Max(max - _config.InFlightAuctions, 0);
        return min + random.NextLong(max - min + 1 + AuctionIdLead);
    }

    private long NextAuctionLengthMs(long adjustedEventNumber, ref SplitMix64 random, long timestamp)
    {
        var c = _config;
        var eventsForAuctions = (long)c.InFlightAuctions * c.TotalProportion / c.AuctionProportion;
        var futureAuction = TimestampForEvent(adjustedEventNumber + eventsForAuctions);
        var horizonMs = futureAuction - timestamp;
        return 1L + random.NextLong(Math.Max(horizonMs * 2, 1L));
    }

    /// <summary>A price in cents: 10^U(0,6) dollars (spec <c>PriceGenerator</c>).</summary>
    private static long NextPrice(ref SplitMix64 random) => (long)Math.Round(Math.Pow(10.0, random.NextDouble() * 6.0) * 100.0);

    private static string NextString(ref SplitMix64 random, int maxLength, char special = ' ')
    {
        var length = MinStringLength + random.NextInt(maxLength - MinStringLength);
        Span<char> chars = stackalloc char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = random.NextInt(13) == 0 ? special : (char)('a' + random.NextInt(26));
        }
        return new string(chars.Trim(' '));
    }

    private static ExtraString NextExtra(ref SplitMix64 random, int currentSize, int desiredAverageSize)
    {
        if (currentSize > desiredAverageSize)
        {
            return default;
        }
        desiredAverageSize -= currentSize;
        var delta = (int)Math.Round(desiredAverageSize * 0.2);
        var minSize = desiredAverageSize - delta;
        var size = minSize + (delta == 0 ? 0 : random.NextInt(2 * delta));
        var offset = random.NextInt(ExtraString.Pool.Length - size);
        return new ExtraString(offset, size);
    }

    private static string[] CreateNames()
    {
        var names = new string[s_firstNames.Length * s_lastNames.Length];
        for (var f = 0; f < s_firstNames.Length; f++)
        {
            for (var l = 0; l < s_lastNames.Length; l++)
            {
                names[f * s_lastNames.Length + l] = s_firstNames[f] + " " + s_lastNames[l];
            }
        }
        return names;
    }

    private static string BaseUrl(ref SplitMix64 random) =>
        "https://www.nexmark.com/" + NextString(ref random, 5, '_') + "/" + NextString(ref random, 5, '_') + "/" + NextString(ref random, 5, '_') + "/item.htm?query=1";

    private static string[] CreateHotUrls()
    {
        var random = new SplitMix64(0x5EED_0000_0000_0002UL);
        var urls = new string[s_hotChannels.Length];
        for (var i = 0; i < urls.Length; i++)
        {
            urls[i] = BaseUrl(ref random);
        }
        return urls;
    }

    private static (string, string)[] CreateChannels()
    {
        var random = new SplitMix64(0x5EED_0000_0000_0003UL);
        var channels = new (string, string)[ChannelCount];
        for (var i = 0; i < channels.Length; i++)
        {
            var url = BaseUrl(ref random);
            if (random.NextInt(10) > 0)
            {
                url += "&channel_id=" + Math.Abs((long)ReverseBits(i)).ToString(CultureInfo.InvariantCulture);
            }
            channels[i] = ("channel-" + i.ToString(CultureInfo.InvariantCulture), url);
        }
        return channels;
    }

    private static int ReverseBits(int value)
    {
        var v = (uint)value;
        uint r = 0;
        for (var i = 0; i < 32; i++)
        {
            r = (r << 1) | (v & 1);
            v >>= 1;
        }
        return (int)r;
    }
}
