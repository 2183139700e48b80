using System.Text;
using Sluice.Server.Ingest;

namespace Sluice.Server.Tests.Ingest;

public sealed class IngestParserTests
{
    private static (IngestBatch Batch, IngestParseError? Error) Parse(string body, IngestBodyFormat format = IngestBodyFormat.Sniff, IngestFields? fields = null, IRecordValidator? validator = null, bool dlq = false)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var batch = new IngestBatch(bytes.Length);
        bytes.CopyTo(batch.GetBodySpan(bytes.Length));
        batch.AdvanceBody(bytes.Length);
        return (batch, IngestParser.Parse(batch, format, fields ?? IngestFields.None, validator, dlq));
    }

    private static List<string> Values(IngestBatch batch) =>
        Enumerable.Range(0, batch.Count).Select(i => Encoding.UTF8.GetString(batch.ValueOf(batch[i]))).ToList();

    [Fact]
    public void Parse_SniffedPrettyObject_IsOneRecord()
    {
        var (batch, error) = Parse("\uFEFF \n{\n  \"a\": 1,\n  \"b\": [1, 2]\n}\n\n");
        using var _ = batch;

        error.ShouldBeNull();
        Values(batch).ShouldBe(["{\n  \"a\": 1,\n  \"b\": [1, 2]\n}"]);
    }

    [Fact]
    public void Parse_SniffedLines_IsNdjsonWithLineNumbers()
    {
        var (batch, error) = Parse("\n{\"a\":1}\n   \n{\"a\":2}  \r\n");
        using var _ = batch;

        error.ShouldBeNull();
        Values(batch).ShouldBe(["{\"a\":1}", "{\"a\":2}"]);
        batch[0].Line.ShouldBe(2);
        batch[1].Line.ShouldBe(4);
    }

    [Fact]
    public void Parse_JsonContentTypeWithTwoObjects_IsAnErrorNamingTheBody()
    {
        var (batch, error) = Parse("{\"a\":1}\n{\"a\":2}", IngestBodyFormat.Json);
        using var _ = batch;

        error.ShouldNotBeNull();
        error.Message.ShouldStartWith("The body's object: is not valid JSON");
        batch.Count.ShouldBe(0);
    }

    [Fact]
    public void Parse_NdjsonContentTypeWithAnArrayLine_RejectsTheLine()
    {
        var (batch, error) = Parse("[{\"a\":1}]\n", IngestBodyFormat.Ndjson);
        using var _ = batch;

        error.ShouldBe(new IngestParseError(1, null, "Line 1: is a JSON array, not an object."));
    }

    [Fact]
    public void Parse_KeyField_TakesStringsUnescapedAndOtherValuesAsJsonText()
    {
        var body = "{\"k\":\"plain\"}\n{\"k\":\"tab\\there\"}\n{\"k\":42}\n{\"k\":{\"x\": 1}}\n{\"k\":null}\n{\"other\":1}\n";
        var (batch, error) = Parse(body, fields: new IngestFields("k", null));
        using var _ = batch;

        error.ShouldBeNull();
        var keys = Enumerable.Range(0, batch.Count).Select(i => batch[i].HasKey ? Encoding.UTF8.GetString(batch.KeyOf(batch[i])) : null).ToList();
        keys.ShouldBe(["plain", "tab\there", "42", "{\"x\": 1}", null, null]);
    }

    [Fact]
    public void Parse_TimestampNotATime_NamesLineAndField()
    {
        var (batch, error) = Parse("{\"ts\":5}\n{\"ts\":\"yesterday\"}\n", fields: new IngestFields(null, "ts"));
        using var _ = batch;

        error.ShouldBe(new IngestParseError(2, "ts", "Line 2: field 'ts' is not a timestamp (give Unix milliseconds as an integer, or an ISO 8601 string)."));
    }

    [Fact]
    public void Parse_ArrayWithBrokenElement_NamesTheElementEvenWithDlq()
    {
        var (batch, error) = Parse("[{\"a\":1},{\"a\":2},{\"a\" 3}]", dlq: true);
        using var _ = batch;

        error.ShouldNotBeNull();
        error.Line.ShouldBe(3);
        error.Message.ShouldStartWith("Array element 3 is not valid JSON");
    }

    [Fact]
    public void Parse_ArrayWithNonObjectElements_DlqListsThem()
    {
        var (batch, error) = Parse("[{\"a\":1}, 2, \"x\", {\"a\":4}]", dlq: true);
        using var _ = batch;

        error.ShouldBeNull();
        Values(batch).ShouldBe(["{\"a\":1}", "{\"a\":4}"]);
        batch.Rejected.Select(r => (r.Line, r.Reason, Encoding.UTF8.GetString(batch.Body.Slice(r.ValueStart, r.ValueLength)))).ShouldBe(
        [
            (2, "Array element 2: is a JSON number, not an object.", "2"),
            (3, "Array element 3: is a JSON string, not an object.", "\"x\""),
        ]);
    }

    [Fact]
    public void Parse_ValidatorFails_ReportsItsField()
    {
        var (batch, error) = Parse("{\"id\":1,\"user\":\"a\"}\n{\"id\":2}\n", validator: new RequiredFieldsValidator("id", "user"));
        using var _ = batch;

        error.ShouldBe(new IngestParseError(2, "user", "Line 2: required field 'user' is missing or null."));
    }

    [Fact]
    public void Parse_EmptyBody_IsAnError()
    {
        var (batch, error) = Parse(" \r\n ");
        using var _ = batch;

        error.ShouldNotBeNull();
        error.Line.ShouldBe(0);
    }
}
