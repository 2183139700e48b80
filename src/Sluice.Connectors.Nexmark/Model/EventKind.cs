namespace Sluice.Nexmark.Model;

/// <summary>Which of the three Nexmark tables an event belongs to (the <c>event_type</c> column of the Flink DDL).</summary>
public enum EventKind : byte
{
    /// <summary>A new person (event_type 0).</summary>
    Person = 0,

    /// <summary>A new auction (event_type 1).</summary>
    Auction = 1,

    /// <summary>A bid on an auction (event_type 2).</summary>
    Bid = 2,
}
