using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sluice.Nexmark.Model;

/// <summary>
/// One Nexmark event: a person, an auction or a bid (the Flink DDL's row with three nested rows). Bids — 92% of
/// events — are stored inline; persons and auctions are referenced. 72 bytes.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct Event
{
    private readonly object? _entity;

    private Event(EventKind kind, long dateTime, Bid bid, object? entity)
    {
        Kind = kind;
        DateTime = dateTime;
        Bid = bid;
        _entity = entity;
    }

    /// <summary>Which table the event belongs to.</summary>
    public EventKind Kind { get; }

    /// <summary>Event time, ms since the Unix epoch.</summary>
    public long DateTime { get; }

    /// <summary>The bid; <c>default</c> unless <see cref="Kind"/> is <see cref="EventKind.Bid"/>.</summary>
    public Bid Bid { get; }

    /// <summary>The person; null unless <see cref="Kind"/> is <see cref="EventKind.Person"/>.</summary>
    public Person? Person => _entity as Person;

    /// <summary>The auction; null unless <see cref="Kind"/> is <see cref="EventKind.Auction"/>.</summary>
    public Auction? Auction => _entity as Auction;

    /// <summary>The person of a person event (no type check: call only when <see cref="Kind"/> is Person).</summary>
    public Person AsPerson => Unsafe.As<Person>(_entity!);

    /// <summary>The auction of an auction event (no type check: call only when <see cref="Kind"/> is Auction).</summary>
    public Auction AsAuction => Unsafe.As<Auction>(_entity!);

    /// <summary>A person event.</summary>
    public static Event Of(Person person) => new(EventKind.Person, person.DateTime, default, person);

    /// <summary>An auction event.</summary>
    public static Event Of(Auction auction) => new(EventKind.Auction, auction.DateTime, default, auction);

    /// <summary>A bid event.</summary>
    public static Event Of(Bid bid) => new(EventKind.Bid, bid.DateTime, bid, null);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        EventKind.Person => AsPerson.ToString(),
        EventKind.Auction => AsAuction.ToString(),
        _ => Bid.ToString(),
    };
}
