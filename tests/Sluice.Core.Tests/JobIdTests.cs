namespace Sluice.Core.Tests;

public class JobIdTests
{
    [Fact]
    public void ToString_Is32LowercaseHexDigits()
    {
        var id = new JobId(Guid.Parse("0123ABCD-4567-89ab-cdef-0123456789AB"));

        id.ToString().ShouldBe("0123abcd456789abcdef0123456789ab");
    }

    [Fact]
    public void Parse_ToStringOfANewId_RoundTrips()
    {
        var id = JobId.New();

        JobId.Parse(id.ToString()).ShouldBe(id);
        JobId.TryParse(id.ToString().ToUpperInvariant(), out var upper).ShouldBeTrue();
        upper.ShouldBe(id);
        JobId.New().ShouldNotBe(id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0123abcd-4567-89ab-cdef-0123456789ab")]
    [InlineData("0123abcd456789abcdef0123456789a")]
    [InlineData("0123abcd456789abcdef0123456789zz")]
    public void TryParse_NotThirtyTwoHexDigits_IsFalse(string? text)
    {
        JobId.TryParse(text, out var id).ShouldBeFalse();
        id.ShouldBe(default);
    }

    [Fact]
    public void Parse_NotAnId_ThrowsFormatExceptionNamingTheText()
    {
        Should.Throw<FormatException>(() => JobId.Parse("job-7")).Message.ShouldContain("'job-7' is not a job id");
    }
}
