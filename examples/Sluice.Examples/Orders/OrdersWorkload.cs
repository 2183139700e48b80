namespace Sluice.Examples.Orders;

/// <summary>A customer of the orders example (table <c>customers</c>).</summary>
/// <param name="CustomerId">The primary key.</param>
/// <param name="Name">The customer's name.</param>
/// <param name="Region">The sales region the summary groups by.</param>
public sealed record OrdersCustomer(long CustomerId, string Name, string Region);

/// <summary>An order of the orders example (table <c>orders</c>).</summary>
/// <param name="OrderId">The primary key.</param>
/// <param name="CustomerId">The customer who placed it.</param>
/// <param name="AmountCents">The amount in cents (positive).</param>
/// <param name="Status"><c>placed</c>, <c>shipped</c> or <c>cancelled</c> (cancelled orders are left out of the summary).</param>
public sealed record OrdersOrder(long OrderId, long CustomerId, long AmountCents, string Status);

/// <summary>What one change of the workload does.</summary>
public enum OrdersChangeKind
{
    /// <summary>Inserts <see cref="OrdersChange.Order"/>.</summary>
    InsertOrder,

    /// <summary>Updates the order <see cref="OrdersChange.Order"/> names (by id) to its amount and status.</summary>
    UpdateOrder,

    /// <summary>Deletes the order with id <see cref="OrdersChange.Id"/>.</summary>
    DeleteOrder,

    /// <summary>Moves the customer with id <see cref="OrdersChange.Id"/> to region <see cref="OrdersChange.Region"/>.</summary>
    MoveCustomer,
}

/// <summary>One change applied to the source tables while the job runs.</summary>
/// <param name="Kind">What it does.</param>
/// <param name="Order">The order inserted, or the order's new values (updates).</param>
/// <param name="Id">The order deleted, or the customer moved.</param>
/// <param name="Region">The customer's new region (moves).</param>
public sealed record OrdersChange(OrdersChangeKind Kind, OrdersOrder? Order, long Id, string? Region);

/// <summary>
/// The orders example's generated data, a pure function of its sizes and seed: the customers and the orders present
/// before the job starts (read by the CDC snapshot), then the changes made while it runs (streamed) — inserts, then
/// updates (amounts, and a status moving to shipped or cancelled), deletes and customers moving region, mixed, in
/// transactions of <see cref="TransactionSize"/> changes.
/// </summary>
/// <param name="Customers">Every customer, inserted before the job starts.</param>
/// <param name="InitialOrders">The orders inserted before the job starts.</param>
/// <param name="Changes">The changes, in order.</param>
public sealed record OrdersWorkload(IReadOnlyList<OrdersCustomer> Customers, IReadOnlyList<OrdersOrder> InitialOrders, IReadOnlyList<OrdersChange> Changes)
{
    /// <summary>The regions customers live in.</summary>
    public static readonly IReadOnlyList<string> Regions = ["north", "south", "east", "west", "central"];

    /// <summary>Changes per source transaction.</summary>
    public const int TransactionSize = 100;

    /// <summary>
    /// Generates <paramref name="orders"/> orders of <paramref name="customers"/> customers: half before the job, half
    /// inserted while it runs, then about one change per three orders (updates, deletes, moves).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="orders"/> or <paramref name="customers"/> is below 1.</exception>
    public static OrdersWorkload Generate(int orders, int customers, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(orders, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(customers, 1);
        var random = new Random(seed);
        var people = new List<OrdersCustomer>(customers);
        for (var c = 1; c <= customers; c++)
        {
            people.Add(new OrdersCustomer(c, $"customer-{c}", Regions[random.Next(Regions.Count)]));
        }
        var initial = new List<OrdersOrder>();
        var changes = new List<OrdersChange>();
        var live = new List<OrdersOrder>(); // the orders present, to pick updates and deletes from
        for (var o = 1; o <= orders; o++)
        {
            var order = new OrdersOrder(o, random.Next(1, customers + 1), random.Next(100, 50_000), "placed");
            if (o <= orders / 2)
            {
                initial.Add(order);
            }
            else
            {
                changes.Add(new OrdersChange(OrdersChangeKind.InsertOrder, order, o, null));
            }
            live.Add(order);
        }
        for (var n = orders / 3; n > 0 && live.Count > 0; n--)
        {
            var dice = random.Next(10);
            if (dice < 6)
            {
                var index = random.Next(live.Count);
                var old = live[index];
                var updated = dice < 3
                    ? old with { AmountCents = old.AmountCents + random.Next(-50, 500) is var a && a > 0 ? a : 1 }
                    : old with { Status = dice < 5 ? "shipped" : "cancelled" };
                live[index] = updated;
                changes.Add(new OrdersChange(OrdersChangeKind.UpdateOrder, updated, updated.OrderId, null));
            }
            else if (dice < 9)
            {
                var index = random.Next(live.Count);
                var deleted = live[index];
                live[index] = live[^1];
                live.RemoveAt(live.Count - 1);
                changes.Add(new OrdersChange(OrdersChangeKind.DeleteOrder, null, deleted.OrderId, null));
            }
            else
            {
                changes.Add(new OrdersChange(OrdersChangeKind.MoveCustomer, null, random.Next(1, customers + 1), Regions[random.Next(Regions.Count)]));
            }
        }
        return new OrdersWorkload(people, initial, changes);
    }
}
