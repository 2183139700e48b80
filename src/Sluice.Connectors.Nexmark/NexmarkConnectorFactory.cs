using Sluice.Configuration;
using Sluice.Nexmark.Generation;
using Sluice.Schemas;
using Sluice.Sources;

[assembly: Sluice.Connectors.ConnectorFactories(typeof(Sluice.Connectors.Nexmark.NexmarkConnectorFactory))]

namespace Sluice.Connectors.Nexmark;

/// <summary>
/// The 'nexmark' connector: the Nexmark benchmark's events (persons, auctions, bids) as rows of
/// <see cref="NexmarkSchema.Table"/>, or of <see cref="NexmarkSchema.Physical"/> when a table declares exactly
/// ddl_gen.sql's stored columns (its <c>dateTime</c> then computed by the table), with the options of the nexmark/nexmark Flink connector (<c>first-event.rate</c>,
/// <c>events.num</c>, <c>person.proportion</c>…). Replayable: a restored job resumes at the event after its checkpoint.
/// Thread-safe and stateless.
/// </summary>
public sealed class NexmarkConnectorFactory : IConnectorFactory
{
    /// <summary>The identifier, as in the nexmark/nexmark Flink connector.</summary>
    public const string Name = "nexmark";

    private static readonly ConfigOption[] s_options =
    [
        new("first-event.rate", ConfigOptionType.Int, "Events per second of event time: sets the spacing of the events' timestamps.") { DefaultValue = "10000", Minimum = 1 },
        new("next-event.rate", ConfigOptionType.Int, "The reference's second rate of a varying rate shape; Sluice's generator has one rate, so it must equal first-event.rate.") { DefaultValue = "10000", Minimum = 1 },
        new("rate.limited", ConfigOptionType.Boolean, "Emit events at first-event.rate of processing time (on the job's clock) instead of as fast as possible.") { DefaultValue = "false" },
        new("events.num", ConfigOptionType.Long, "Events to generate; the source then ends. 0: unbounded.") { DefaultValue = "0", Minimum = 0 },
        new("person.proportion", ConfigOptionType.Int, "Weight of person events in the mix.") { DefaultValue = "1", Minimum = 1 },
        new("auction.proportion", ConfigOptionType.Int, "Weight of auction events in the mix.") { DefaultValue = "3", Minimum = 1 },
        new("bid.proportion", ConfigOptionType.Int, "Weight of bid events in the mix.") { DefaultValue = "46", Minimum = 1 },
        new("bid.hot-ratio.auctions", ConfigOptionType.Int, "1 in this many bids goes to a random open auction, the rest to the hot one.") { DefaultValue = "2", Minimum = 1 },
        new("bid.hot-ratio.bidders", ConfigOptionType.Int, "1 in this many bids has a random bidder, the rest the hot one.") { DefaultValue = "4", Minimum = 1 },
        new("auction.hot-ratio.sellers", ConfigOptionType.Int, "1 in this many auctions has a random seller, the rest the hot one.") { DefaultValue = "4", Minimum = 1 },
        new("seed", ConfigOptionType.Long, "Seed of the generator (Sluice): the same seed and options give the same events everywhere.") { DefaultValue = "42" },
    ];

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Generates the Nexmark benchmark's persons, auctions and bids as one table (event_type, person, auction, bid, dateTime).";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Source;

    /// <inheritdoc />
    public ChangelogMode GetSourceChangelogMode(ConnectorContext context) => ChangelogMode.InsertOnly;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_options;

    /// <summary>
    /// The schema the source produces: <see cref="NexmarkSchema.Physical"/> when <paramref name="declared"/> is exactly
    /// that (the stored columns of the nexmark/nexmark Flink connector's ddl_gen.sql), else
    /// <see cref="NexmarkSchema.Table"/>, which a declared schema must then equal.
    /// </summary>
    /// <exception cref="ConfigOptionsException">The declared schema is neither.</exception>
    public Schema ResolveSchema(Schema? declared, ConfigOptions options)
    {
        if (declared is null || declared.Equals(NexmarkSchema.Table))
        {
            return NexmarkSchema.Table;
        }
        if (declared.Equals(NexmarkSchema.Physical))
        {
            return NexmarkSchema.Physical;
        }
        throw new ConfigOptionsException($"Connector '{Name}' produces the table {NexmarkSchema.Table}, or the same without 'dateTime' (the stored columns of Flink's ddl_gen.sql), so a table using it must declare one of those or none (it declares {declared}).", Name);
    }

    /// <summary>The generator settings the options describe.</summary>
    /// <exception cref="ConfigOptionsException">next-event.rate differs from first-event.rate.</exception>
    public static GeneratorConfig ToGeneratorConfig(ConfigOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rate = options.GetInt32("first-event.rate")!.Value;
        if (options.GetInt32("next-event.rate") != rate)
        {
            throw options.Invalid("next-event.rate", $"must equal first-event.rate ({rate}): Sluice's generator has a single rate");
        }
        var count = options.GetInt64("events.num")!.Value;
        return new GeneratorConfig
        {
            Seed = (ulong)options.GetInt64("seed")!.Value,
            EventCount = count == 0 ? long.MaxValue : count,
            EventsPerSecond = rate,
            PersonProportion = options.GetInt32("person.proportion")!.Value,
            AuctionProportion = options.GetInt32("auction.proportion")!.Value,
            BidProportion = options.GetInt32("bid.proportion")!.Value,
            HotAuctionRatio = options.GetInt32("bid.hot-ratio.auctions")!.Value,
            HotBiddersRatio = options.GetInt32("bid.hot-ratio.bidders")!.Value,
            HotSellersRatio = options.GetInt32("auction.hot-ratio.sellers")!.Value,
        };
    }

    /// <inheritdoc />
    public ISource<Row> CreateSource(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var schema = ResolveSchema(context.Schema, context.Options);
        var config = ToGeneratorConfig(context.Options);
        return new NexmarkSource(new NexmarkGenerator(config), config.EventCount, context.Options.GetBoolean("rate.limited")!.Value, physicalOnly: ReferenceEquals(schema, NexmarkSchema.Physical));
    }
}
