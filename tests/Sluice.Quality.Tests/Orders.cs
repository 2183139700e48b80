namespace Sluice.Quality.Tests;

public sealed record Order(long Id, string? Customer, decimal Amount, string? Email, string? Status, string? Country, long Ts);

internal static class Orders
{
    public static Order Good(long id, long ts = 1_000) => new(id, "c" + id, 10m + id % 100, $"u{id}@example.com", "paid", "DE", ts);
}
