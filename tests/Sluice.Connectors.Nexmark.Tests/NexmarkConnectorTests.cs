using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Nexmark;
using Sluice.Nexmark.Generation;
using Sluice.Nexmark.Model;
using Sluice.Schemas;
using Sluice.Testing;

namespace Sluice.Connectors.Nexmark.Tests;

public sealed class NexmarkConnectorTests
{
    private static readonly ConnectorRegistry s_registry = new ConnectorRegistry().AddAssembly(typeof(NexmarkConnectorFactory).Assembly);

    private static Dictionary<string, string> Options(params (string Key, string Value)[] options)
    {
        var all = new Dictionary<string, string> { ["connector"] = "nexmark" };
        foreach (var (key, value) in options)
        {
            all[key] = value;
        }
        return all;
    }

    private static DateTime Ts(long epochMs) => DateTime.UnixEpoch.AddMilliseconds(epochMs);

    /// <summary>The row the Flink DDL gives an event, field by field.</summary>
    private static void ShouldMatch(Row row, Event e)
    {
        row.GetInt32(0).ShouldBe((int)e.Kind);
        row.GetTimestamp(4).ShouldBe(Ts(e.DateTime));
        switch (e.Kind)
        {
            case EventKind.Person:
                row.IsNull(2).ShouldBeTrue();
                row.IsNull(3).ShouldBeTrue();
                var p = row.GetRow(1)!;
                var person = e.AsPerson;
                p.GetInt64(0).ShouldBe(person.Id);
                p.GetString(1).ShouldBe(person.Name);
                p.GetString(2).ShouldBe(person.EmailAddress);
                p.GetString(3).ShouldBe(person.CreditCard);
                p.GetString(4).ShouldBe(person.City);
                p.GetString(5).ShouldBe(person.State);
                p.GetTimestamp(6).ShouldBe(Ts(person.DateTime));
                p.GetString(7).ShouldBe(person.Extra.ToString());
                break;
            case EventKind.Auction:
                row.IsNull(1).ShouldBeTrue();
                row.IsNull(3).ShouldBeTrue();
                var a = row.GetRow(2)!;
                var auction = e.AsAuction;
                a.GetInt64(0).ShouldBe(auction.Id);
                a.GetString(1).ShouldBe(auction.ItemName);
                a.GetString(2).ShouldBe(auction.Description);
                a.GetInt64(3).ShouldBe(auction.InitialBid);
                a.GetInt64(4).ShouldBe(auction.Reserve);
                a.GetTimestamp(5).ShouldBe(Ts(auction.DateTime));
                a.GetTimestamp(6).ShouldBe(Ts(auction.Expires));
                a.GetInt64(7).ShouldBe(auction.Seller);
                a.GetInt64(8).ShouldBe(auction.Category);
                a.GetString(9).ShouldBe(auction.Extra.ToString());
                break;
            default:
                row.IsNull(1).ShouldBeTrue();
                row.IsNull(2).ShouldBeTrue();
                var b = row.GetRow(3)!;
                b.GetInt64(0).ShouldBe(e.Bid.Auction);
                b.GetInt64(1).ShouldBe(e.Bid.Bidder);
                b.GetInt64(2).ShouldBe(e.Bid.Price);
                b.GetString(3).ShouldBe(e.Bid.Channel);
                b.GetString(4).ShouldBe(e.Bid.Url);
                b.GetTimestamp(5).ShouldBe(Ts(e.Bid.DateTime));
                b.GetString(6).ShouldBe(e.Bid.Extra.ToString());
                break;
        }
    }

    [Fact]
    public void Schema_IsTheFlinkNexmarkTable()
    {
        NexmarkSchema.Table.ToString().ShouldBe(
            "ROW<event_type INT, "
            + "person ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, dateTime TIMESTAMP(3), extra VARCHAR>, "
            + "auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, dateTime TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR>, "
            + "bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, dateTime TIMESTAMP(3), extra VARCHAR>, "
            + "dateTime TIMESTAMP(3)>");
    }

    [Fact]
    public void CreateSource_DefaultOptions_EmitsTheGeneratorsEventsInOrder()
    {
        var source = s_registry.CreateSource("nexmark", null, Options(("events.num", "500")));
        using var driver = new JobTestDriver();
        var sink = driver.Environment.FromSource(source, name: "nexmark").Collect();

        driver.RunToCompletion();

        var generator = new NexmarkGenerator(new GeneratorConfig { EventCount = 500 });
        var rows = sink.TimestampedItems;
        rows.Count.ShouldBe(500);
        for (var n = 0; n < rows.Count; n++)
        {
            var e = generator.Next(n);
            ShouldMatch(rows[n].Value, e);
            rows[n].Timestamp.ShouldBe(e.DateTime);
        }
        rows.Select(r => r.Value.GetInt32(0)).Distinct().Order().ShouldBe([0, 1, 2]);
    }

    [Fact]
    public void CreateSource_Parallel_SubtasksSplitTheEventsWithoutGapsOrRepeats()
    {
        var source = s_registry.CreateSource("nexmark", null, Options(("events.num", "300")));
        using var driver = new JobTestDriver(new JobOptions { Parallelism = 3 });
        var sink = driver.Environment.FromSource(source, name: "nexmark").Collect();

        driver.RunToCompletion();

        var generator = new NexmarkGenerator(new GeneratorConfig { EventCount = 300 });
        var expected = Enumerable.Range(0, 300).Select(n => Identity(generator.Next(n))).Order(StringComparer.Ordinal).ToList();
        sink.Items.Select(Identity).Order(StringComparer.Ordinal).ToList().ShouldBe(expected);
    }

    /// <summary>What tells events apart: a person's or auction's id, a bid's auction, bidder, price and padding.</summary>
    private static string Identity(Event e) => e.Kind switch
    {
        EventKind.Person => $"person {e.AsPerson.Id}",
        EventKind.Auction => $"auction {e.AsAuction.Id}",
        _ => $"bid {e.Bid.Auction} {e.Bid.Bidder} {e.Bid.Price} {e.Bid.Extra}",
    };

    private static string Identity(Row row) => row.GetInt32(0) switch
    {
        0 => $"person {row.GetRow(1)!.GetInt64(0)}",
        1 => $"auction {row.GetRow(2)!.GetInt64(0)}",
        _ => $"bid {row.GetRow(3)!.GetInt64(0)} {row.GetRow(3)!.GetInt64(1)} {row.GetRow(3)!.GetInt64(2)} {row.GetRow(3)!.GetString(6)}",
    };

    [Fact]
    public void Options_MapToTheGeneratorSettings()
    {
        var context = s_registry.CreateContext("n", null, Options(("first-event.rate", "2000"), ("next-event.rate", "2000"), ("events.num", "10"),
            ("person.proportion", "2"), ("auction.proportion", "5"), ("bid.proportion", "13"), ("bid.hot-ratio.auctions", "3"),
            ("bid.hot-ratio.bidders", "5"), ("auction.hot-ratio.sellers", "6"), ("seed", "9")), ConnectorCapabilities.Source, out _);

        var config = NexmarkConnectorFactory.ToGeneratorConfig(context.Options);

        config.EventsPerSecond.ShouldBe(2000);
        config.EventCount.ShouldBe(10);
        config.PersonProportion.ShouldBe(2);
        config.AuctionProportion.ShouldBe(5);
        config.BidProportion.ShouldBe(13);
        config.HotAuctionRatio.ShouldBe(3);
        config.HotBiddersRatio.ShouldBe(5);
        config.HotSellersRatio.ShouldBe(6);
        config.Seed.ShouldBe(9UL);
        context.Schema.ShouldBe(NexmarkSchema.Table);
    }

    [Fact]
    public void Options_EventsNumZero_IsUnbounded()
    {
        s_registry.CreateSource("n", null, Options()).IsBounded.ShouldBeFalse();
        s_registry.CreateSource("n", null, Options(("events.num", "3"))).IsBounded.ShouldBeTrue();
    }

    [Fact]
    public void Options_ProportionsAndRates_ChangeTheMix()
    {
        var source = s_registry.CreateSource("nexmark", null, Options(("events.num", "100"), ("person.proportion", "1"), ("auction.proportion", "1"), ("bid.proportion", "2")));
        using var driver = new JobTestDriver();
        var sink = driver.Environment.FromSource(source).Collect();

        driver.RunToCompletion();

        // Event n is a person when n % 4 == 0, an auction when n % 4 == 1, else a bid (groups of 1000 keep n < 100 in a shuffled order).
        sink.Items.Count(r => r.GetInt32(0) == 0).ShouldBe(25);
        sink.Items.Count(r => r.GetInt32(0) == 1).ShouldBe(25);
        sink.Items.Count(r => r.GetInt32(0) == 2).ShouldBe(50);
    }

    [Fact]
    public void Options_NextRateOtherThanFirst_IsOneSentence()
    {
        Should.Throw<ConfigOptionsException>(() => s_registry.CreateSource("n", null, Options(("first-event.rate", "100"), ("next-event.rate", "200"))))
            .Message.ShouldBe("Option 'next-event.rate' of connector 'nexmark' must equal first-event.rate (100): Sluice's generator has a single rate (got '200').");
    }

    [Fact]
    public void Options_BadProportion_NamesTheRange()
    {
        Should.Throw<ConfigOptionsException>(() => s_registry.CreateSource("n", null, Options(("bid.proportion", "0"))))
            .Message.ShouldBe("Option 'bid.proportion' of connector 'nexmark' must be a whole number at least 1 (got '0').");
    }

    [Fact]
    public void ResolveSchema_DeclaredOtherSchema_IsRejected_TheSameSchema_IsAccepted()
    {
        var error = Should.Throw<ConfigOptionsException>(() => s_registry.CreateSource("n", Schema.Parse("id INT"), Options()));
        error.Message.ShouldStartWith("Connector 'nexmark' produces the table ROW<event_type INT, ");
        error.Message.ShouldEndWith("or the same without 'dateTime' (the stored columns of Flink's ddl_gen.sql), so a table using it must declare one of those or none (it declares ROW<id INT>).");

        s_registry.CreateSource("n", Schema.Parse(NexmarkSchema.Table.ToString()), Options()).ShouldNotBeNull();
    }

    [Fact]
    public void ResolveSchema_DdlGenStoredColumns_AreAcceptedAndTheRowsHaveNoDateTime()
    {
        // The stored columns of nexmark/nexmark's ddl_gen.sql, as that DDL spells them (without its back quotes).
        var declared = Schema.Parse(
            "event_type int, "
            + "person ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, dateTime TIMESTAMP(3), extra VARCHAR>, "
            + "auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, dateTime TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR>, "
            + "bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, dateTime TIMESTAMP(3), extra VARCHAR>");
        var source = s_registry.CreateSource("datagen", declared, Options(("events.num", "60")));
        using var driver = new JobTestDriver();
        var sink = driver.Environment.FromSource(source, name: "nexmark").Collect();

        driver.RunToCompletion();

        var generator = new NexmarkGenerator(new GeneratorConfig { EventCount = 60 });
        var rows = sink.TimestampedItems;
        rows.Count.ShouldBe(60);
        for (var n = 0; n < rows.Count; n++)
        {
            var e = generator.Next(n);
            var row = rows[n].Value;
            row.Schema.Count.ShouldBe(4);
            row.GetInt32(0).ShouldBe((int)e.Kind);
            rows[n].Timestamp.ShouldBe(e.DateTime);
            switch (e.Kind)
            {
                case EventKind.Person:
                    row.GetRow(1)!.GetInt64(0).ShouldBe(e.AsPerson.Id);
                    break;
                case EventKind.Auction:
                    row.GetRow(2)!.GetTimestamp(5).ShouldBe(Ts(e.AsAuction.DateTime));
                    break;
                default:
                    row.GetRow(3)!.GetInt64(1).ShouldBe(e.Bid.Bidder);
                    break;
            }
        }
    }

    [Fact]
    public void RateLimited_EmitsAtTheEventRateOfTheJobClock()
    {
        var source = s_registry.CreateSource("n", null, Options(("rate.limited", "true"), ("first-event.rate", "100"), ("next-event.rate", "100")));
        using var driver = new JobTestDriver();
        var sink = driver.Environment.FromSource(source).Collect();

        driver.RunUntilIdle();
        sink.Items.Count.ShouldBe(1);
        driver.AdvanceProcessingTime(TimeSpan.FromSeconds(2));
        sink.Items.Count.ShouldBe(201);
    }

    [Fact]
    public void RestoreFromSnapshot_ResumesAtTheNextEvent()
    {
        var all = new List<Row>();
        using (var reference = new JobTestDriver())
        {
            var unlimited = Options(("events.num", "3000"), ("first-event.rate", "1000"), ("next-event.rate", "1000"));
            var sink = reference.Environment.FromSource(s_registry.CreateSource("n", null, unlimited), name: "nexmark").Collect();
            reference.RunToCompletion();
            all.AddRange(sink.Items);
        }
        var limited = Options(("events.num", "3000"), ("rate.limited", "true"), ("first-event.rate", "1000"), ("next-event.rate", "1000"));

        TestSnapshot snapshot;
        using (var first = new JobTestDriver())
        {
            var sink = first.Environment.FromSource(s_registry.CreateSource("n", null, limited), name: "nexmark").Collect();
            first.AdvanceProcessingTime(TimeSpan.FromSeconds(1));
            snapshot = first.Snapshot();
            sink.Items.Count.ShouldBe(1001);
        }

        using var second = new JobTestDriver();
        var rest = second.Environment.FromSource(s_registry.CreateSource("n", null, limited), name: "nexmark").Collect();
        second.InitializeState(snapshot);
        second.AdvanceProcessingTime(TimeSpan.FromSeconds(3));

        second.IsFinished.ShouldBeTrue();
        rest.Items.ShouldBe(all.Skip(1001).ToList());
    }
}
