using Sluice.Connectors.Postgres.Cdc;

namespace Sluice.Connectors.Postgres.Tests;

/// <summary>The options records print their settings but never the connection string's password.</summary>
public sealed class PostgresOptionsTests
{
    private const string ConnectionString = "Host=127.0.0.1;Port=5433;Username=sluice;Password=s3cret-value;SSL Password=key-s3cret;Database=shop";

    [Fact]
    public void SinkOptions_ToString_ShowsHostAndTableButNeverThePassword()
    {
        var text = new PostgresSinkOptions { ConnectionString = ConnectionString, Table = "orders" }.ToString();

        text.ShouldNotContain("s3cret");
        text.ShouldContain("127.0.0.1");
        text.ShouldContain("Table = orders");
    }

    [Fact]
    public void CdcOptions_ToString_ShowsHostAndSlotButNeverThePassword()
    {
        var text = new PostgresCdcOptions { ConnectionString = ConnectionString, Table = "orders", SlotName = "orders_slot" }.ToString();

        text.ShouldNotContain("s3cret");
        text.ShouldContain("127.0.0.1");
        text.ShouldContain("SlotName = orders_slot");
    }
}
