namespace Sluice.Sql.Tests;

public sealed class SqlExceptionTests
{
    [Fact]
    public void At_OffsetOnSecondLine_CountsLineAndColumn()
    {
        var position = SqlPosition.At("SELECT a\nFROM t", 14);

        position.ShouldBe(new SqlPosition(14, 2, 6));
        position.ToString().ShouldBe("2:6");
    }

    [Fact]
    public void At_OffsetPastEnd_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => SqlPosition.At("abc", 4));
    }

    [Fact]
    public void Message_WithPosition_StartsWithLineAndColumn()
    {
        var error = new SqlException("Unknown table 'bids'.", new SqlPosition(14, 2, 6));

        error.Message.ShouldBe("2:6: Unknown table 'bids'.");
        error.Reason.ShouldBe("Unknown table 'bids'.");
    }

    [Fact]
    public void Describe_PointsCaretAtColumnOfItsLine()
    {
        const string sql = "SELECT a\r\nFROM\tbids";
        var error = new SqlException("Unknown table 'bids'.", SqlPosition.At(sql, 15));

        error.Describe(sql).ShouldBe("2:6: Unknown table 'bids'.\nFROM\tbids\n    \t^");
    }

    [Fact]
    public void Describe_WithoutPosition_IsTheMessage()
    {
        new SqlException("STATEMENT SET is empty.").Describe("BEGIN STATEMENT SET; END;").ShouldBe("STATEMENT SET is empty.");
    }
}
