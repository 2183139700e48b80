using CsCheck;
using Shouldly;
using Sluice.Server.PgWire;

namespace Sluice.Server.Tests.PgWire;

/// <summary>The endpoint's pure parts: statement splitting and PostgreSQL's binary numeric.</summary>
public sealed class PgWireEncodingTests
{
    [Fact]
    public void Split_SemicolonsInLiteralsCommentsAndQuotes_DoNotSplit()
    {
        var statements = PgSqlText.Split("SELECT ';' AS a; -- one; two\nSELECT \"x;y\" FROM t /* ; */; SELECT $$;$$;;  ");

        statements.ShouldBe(["SELECT ';' AS a", "-- one; two\nSELECT \"x;y\" FROM t /* ; */", "SELECT $$;$$"]);
    }

    [Fact]
    public void Split_OnlyCommentsAndSpace_IsEmpty() => PgSqlText.Split("  -- nothing\n /* at all */ ;").ShouldBeEmpty();

    [Fact]
    public void ParameterCount_IsTheHighestPlaceholder() =>
        PgSqlText.ParameterCount(PgSqlText.Tokens("SELECT $2, '$9', $1 FROM t WHERE a = $3")).ShouldBe(3);

    [Fact]
    public void Numeric_Binary_LaysOutBase10000Digits()
    {
        // PostgreSQL's numeric_send of -1234.5600: 2 digits (1234, 5600), weight 0, sign 0x4000, scale 4.
        NumericBytes("-1234.5600").ShouldBe(new byte[] { 0, 2, 0, 0, 0x40, 0, 0, 4, 0x04, 0xD2, 0x15, 0xE0 });
        // 0.0005: one digit (5) at weight -1, scale 4.
        NumericBytes("0.0005").ShouldBe(new byte[] { 0, 1, 0xFF, 0xFF, 0, 0, 0, 4, 0, 5 });
        // 10000: one digit (1) at weight 1, scale 0.
        NumericBytes("10000").ShouldBe(new byte[] { 0, 1, 0, 1, 0, 0, 0, 0, 0, 1 });
        NumericBytes("0.00").ShouldBe(new byte[] { 0, 0, 0, 0, 0, 0, 0, 2 });
    }

    [Fact]
    public void Numeric_Binary_RoundTripsEveryDecimal() =>
        Gen.Decimal.Where(d => Math.Abs(d) < 1e20m).Sample(value =>
        {
            var bytes = NumericBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            PgNumeric.Read(new PgBody(bytes, bytes.Length)).ShouldBe(value);
        });

    private static byte[] NumericBytes(string text)
    {
        using var stream = new MemoryStream();
        using var writer = new PgMessageWriter(stream);
        PgNumeric.Write(writer, text);
        writer.FlushAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return stream.ToArray();
    }
}
