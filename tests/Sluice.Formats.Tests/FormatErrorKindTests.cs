namespace Sluice.Formats.Tests;

public sealed class FormatErrorKindTests
{
    [Fact]
    public void Kind_WholeRecord_IsParse_FieldAtFault_IsSchema_AndCanBeSet()
    {
        new FormatError("Malformed JSON.").Kind.ShouldBe(DeadLetterKind.Parse);
        new FormatError("The value is null.", "address.zip").Kind.ShouldBe(DeadLetterKind.Schema);
        new FormatError("The record does not match the writer schema.") { Kind = DeadLetterKind.Schema }.Kind.ShouldBe(DeadLetterKind.Schema);
        (new FormatError("x", "a") { Kind = DeadLetterKind.Parse } with { FieldPath = "b" }).Kind.ShouldBe(DeadLetterKind.Parse);
    }
}
