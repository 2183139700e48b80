using Sluice.Schemas;
using Sluice.Testing;

namespace Sluice.Quality.Tests.Contracts;

/// <summary>Data contracts: the format-1 golden file, errors naming file:line and field, and a contract enforced on rows.</summary>
public class DataContractTests
{
    private static readonly string s_golden = Path.Combine(AppContext.BaseDirectory, "Contracts", "golden", "orders-contract-v1.yaml");

    [Fact]
    public void Load_GoldenFormat1_ReadsEveryPropertyWithItsMeaning()
    {
        var contract = DataContract.Load(s_golden);

        (contract.Name, contract.Version, contract.Owner, contract.Description).ShouldBe(("orders", "2.1.0", "sales-data@example.com", "Orders as the shop writes them."));
        contract.Schema.Select(f => (f.Name, f.Type)).ShouldBe(Schema.Parse("id BIGINT NOT NULL, customer STRING, email STRING, amount DECIMAL(10, 2), qty INT, status STRING").Select(f => (f.Name, f.Type)));
        contract.Schema[5].Description.ShouldBe("new, paid or shipped");
        contract.Rules.Select(r => (r.Name, r.Kind, r.Field, r.Action, r.Line)).ShouldBe(
        [
            ("customer_present", RuleKind.NotNull, "customer", RuleAction.Drop, 23),
            ("amount_range", RuleKind.Range, "amount", RuleAction.DeadLetter, 27),
            ("qty_range", RuleKind.Range, "qty", RuleAction.Warn, 32),
            ("email_format", RuleKind.Regex, "email", RuleAction.DeadLetter, 38),
            ("status_known", RuleKind.AcceptedValues, "status", RuleAction.DeadLetter, 43),
            ("id_unique", RuleKind.Unique, "id", RuleAction.DeadLetter, 47),
            ("fresh", RuleKind.Freshness, null, RuleAction.Warn, 51),
            ("volume", RuleKind.Volume, null, RuleAction.Fail, 55),
        ]);
        var rules = contract.AddTo(new RowExpectations(contract.Schema)).Rules;
        rules.Select(r => r.Describe()).ShouldBe(
        [
            "schema of contract 'orders' version 2.1.0",
            "not_null",
            "range [0, 10000.50]",
            "range [1, 100]",
            "regex /^[^@\\s]+@[^@\\s]+$/",
            "accepted_values ['new', 'paid', 'shipped']",
            "unique within 01:00:00",
            "freshness max lag 00:05:00",
            "volume per 00:01:00 in [10, 100000] and within 4σ of the last 30 windows",
        ]);
        contract.Rules[3].Parameters["timeout"].Duration.ShouldBe(TimeSpan.FromMilliseconds(50));
        contract.Rules[6].Parameters["check_every"].Duration.ShouldBe(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void ExpectContract_Rows_RoutesByTheContractsRulesAndSchema()
    {
        // The golden contract without its stream rules (its volume rule would fail this short stream).
        var text = File.ReadAllText(s_golden);
        var contract = DataContract.Parse(text[..text.IndexOf("  - name: fresh", StringComparison.Ordinal)], "orders.yaml");
        var schema = Schema.Parse("id BIGINT, customer STRING, email STRING, amount DECIMAL(10, 2), qty INT, status STRING, note STRING");
        using var driver = new OperatorTestDriver<Row, Row>(input => input.Expect(schema, contract));
        var letters = driver.SideOutput(DeadLetters.Tag);
        driver.ProcessElement(Row.Of(schema, 1L, "c1", "a@b", 10m, 1, "new", "fine"), 1)
            .ProcessElement(Row.Of(schema, 3L, null, "a@b", 10m, 1, "new", "dropped"), 3)
            .ProcessElement(Row.Of(schema, 4L, "c4", "a@b", 10_000.51m, 1, "new", "too much"), 4)
            .ProcessElement(Row.Of(schema, 5L, "c5", "a@b", 10m, 0, "paid", "warned"), 5)
            .ProcessElement(Row.Of(schema, 6L, "c6", "nomail", 10m, 1, "new", "bad mail"), 6)
            .ProcessElement(Row.Of(schema, 7L, "c7", "a@b", 10m, 1, "lost", "bad status"), 7)
            .ProcessElement(Row.Of(schema, 1L, "c1", "a@b", 10m, 1, "new", "again"), 8)
            .Finish();

        driver.Values.Select(r => r.GetString(6)).ShouldBe(["fine", "warned"]);
        letters.Items.Select(l => (l.Rule, l.FieldPath, l.Operator)).ShouldBe(
        [
            ("amount_range", "amount", "orders"), ("email_format", "email", "orders"),
            ("status_known", "status", "orders"), ("id_unique", "id", "orders"),
        ]);
        letters.Items[0].Reason.ShouldBe("rule 'amount_range' (range [0, 10000.50]) failed on field 'amount': value 10000.51 is outside [0, 10000.50]");
    }

    [Fact]
    public void ExpectContract_NullInANonNullableField_DeadLetteredByTheSchemaRule()
    {
        var contract = DataContract.Parse("contract: 1\nname: people\nversion: '1'\nowner: me\nschema:\n  - {name: id, type: BIGINT, nullable: false}\n  - {name: nick, type: STRING}\n", "people.yaml");
        var schema = Schema.Parse("id BIGINT, nick STRING");
        using var driver = new OperatorTestDriver<Row, Row>(input => input.Expect(schema, contract));
        var letters = driver.SideOutput(DeadLetters.Tag);
        driver.ProcessElement(Row.Of(schema, 1L, null), 1).ProcessElement(Row.Of(schema, null, "x"), 2).Finish();

        driver.Values.Select(r => r.GetInt64(0)).ShouldBe([1L]);
        var letter = letters.Items.ShouldHaveSingleItem();
        (letter.Rule, letter.FieldPath).ShouldBe(("people_schema", "id"));
        letter.Reason.ShouldBe("rule 'people_schema' (schema of contract 'people' version 1) failed on field 'id': field 'id' is null, but the contract declares it nullable: false");
    }

    [Theory]
    [InlineData("contract: 2\nname: o\nversion: 1\nowner: me\nschema:\n  - {name: id, type: INT}\n",
        "c.yaml:1: the data contract has format version 2, newer than this Sluice reads (1): upgrade Sluice, or write the contract in format 1.")]
    [InlineData("contract: 1\nname: o\nversion: 1\nowner: me\nschema:\n  - {name: id, type: INT}\nrules:\n  - name: r\n    kind: not_null\n    field: idd\n",
        "c.yaml:8: Rule 'r' names column 'idd', which is not a column of ROW<id INT>; name one of its columns.")]
    [InlineData("contract: 1\nname: o\nversion: 1\nowner: me\nschema:\n  - {name: id, type: INT}\nrules:\n  - name: r\n    kind: regex\n    field: id\n    pattern: x\n",
        "c.yaml:8: Rule 'r' needs column 'id' to be VARCHAR, but it is INT.")]
    [InlineData("contract: 1\nname: o\nversion: 1\nowner: me\nschema:\n  - {name: id, type: INT}\nrules:\n  - name: r\n    kind: range\n    field: id\n    min: zero\n    max: 5\n",
        "c.yaml:8: Rule 'r' gives 'zero' for column 'id' of type INT, which is not a value of that type: write a INT.")]
    [InlineData("contract: 1\nname: o\nversion: 1\nowner: me\nschema:\n  - {name: id, type: INTEGRAL}\n",
        "c.yaml:6: field 'id' has type 'INTEGRAL', which is not a type")]
    [InlineData("contract: 1\nname: o\nversion: 1\nowner: me\nschema:\n  - {name: id, type: INT}\nrules:\n  - name: r\n    kind: range\n    field: id\n    minimum: 0\n",
        "c.yaml:11: rule 'r' (range) has no key 'minimum': its keys are name, kind, field, action, description, min, max.")]
    [InlineData("contract: 1\nname: o\nversion: 1\nowner: me\nschema:\n  - {name: id, type: INT}\nrules:\n  - name: f\n    kind: freshness\n    max_lag: soon\n",
        "c.yaml:10: rule 'f' has max_lag: 'soon', which is not a duration: a whole number and ms, s, m, h or d (500ms, 5m, 1h).")]
    [InlineData("contract: 1\nname: o\nversion: 1\nowner: me\nschema:\n  - {name: id, type: INT}\nrules:\n  - name: c\n    kind: custom\n",
        "c.yaml:9: rule 'c' has kind 'custom', which a contract does not know")]
    [InlineData("contract: 1\nname: o\nowner: me\nschema:\n  - {name: id, type: INT}\n",
        "c.yaml:1: 'version' is missing: give the contract's version.")]
    [InlineData("contract: 1\nname: o\nversion: 1\nowner: me\nschema: [\n",
        "c.yaml:")]
    public void Parse_BadContract_NamesFileLineAndField(string yaml, string message)
    {
        var error = Should.Throw<DataContractException>(() => DataContract.Parse(yaml, "c.yaml"));
        error.Message.ShouldStartWith(message);
    }

    [Fact]
    public void AddTo_SchemaWithoutAFieldOrOfAnotherType_NamesTheFieldsLine()
    {
        var contract = DataContract.Load(s_golden);
        var missing = Should.Throw<DataContractException>(() => contract.AddTo(new RowExpectations(Schema.Parse("id BIGINT, customer STRING"))));
        missing.Message.ShouldBe($"{s_golden}:13: field 'email' of contract 'orders' is not a column of ROW<id BIGINT, customer VARCHAR>: add the column, or remove the field from the contract.");
        var mistyped = Should.Throw<DataContractException>(() => contract.AddTo(new RowExpectations(Schema.Parse("id INT, customer STRING, email STRING, amount DECIMAL(10, 2), qty INT, status STRING"))));
        mistyped.Message.ShouldBe($"{s_golden}:9: field 'id' of contract 'orders' is BIGINT, but the column is INT: make the types agree.");
    }

    [Fact]
    public void Load_MissingFile_SaysWhichAndWhat()
    {
        var error = Should.Throw<DataContractException>(() => DataContract.Load("no/such/contract.yaml"));
        error.Message.ShouldStartWith("no/such/contract.yaml: the data contract cannot be read (");
    }
}
