using CsCheck;
using Sluice.Schemas;

namespace Sluice.Core.Tests.Schemas;

public sealed class SchemaEvolutionPlanTests
{
    private const string V2 = "subject 'orders-value' version 2 (id 7)";

    // table schema, incoming schema, expected kind, expected added columns, null-filled, promoted, field at fault
    public static TheoryData<string, string, SchemaChangeKind, string, string, string, string?> Cases => new()
    {
        { "id BIGINT NOT NULL, name STRING", "id BIGINT NOT NULL, name STRING", SchemaChangeKind.Identical, "", "", "", null },
        { "id BIGINT NOT NULL, name STRING", "id BIGINT NOT NULL, name STRING, email STRING", SchemaChangeKind.Compatible, "email VARCHAR", "", "", null },
        { "id BIGINT NOT NULL", "b INT, id BIGINT NOT NULL, a DOUBLE", SchemaChangeKind.Compatible, "b INT, a DOUBLE", "", "", null },
        { "id BIGINT NOT NULL, name STRING", "name STRING, id BIGINT NOT NULL", SchemaChangeKind.Compatible, "", "", "", null },
        { "id BIGINT NOT NULL, name STRING", "id BIGINT NOT NULL", SchemaChangeKind.Compatible, "", "name", "", null },
        { "id BIGINT NOT NULL, n BIGINT", "id BIGINT NOT NULL, n INT", SchemaChangeKind.Compatible, "", "", "n", null },
        { "x DOUBLE", "x FLOAT", SchemaChangeKind.Compatible, "", "", "x", null },
        { "id BIGINT NOT NULL", "id BIGINT", SchemaChangeKind.Compatible, "", "", "", null },
        { "id BIGINT", "id BIGINT NOT NULL", SchemaChangeKind.Compatible, "", "", "", null },
        { "id BIGINT NOT NULL, n INT", "id BIGINT NOT NULL, n BIGINT", SchemaChangeKind.Incompatible, "", "", "", "n" },
        { "id BIGINT NOT NULL, n INT", "id BIGINT NOT NULL, n STRING", SchemaChangeKind.Incompatible, "", "", "", "n" },
        { "x DOUBLE", "x DECIMAL(10, 2)", SchemaChangeKind.Incompatible, "", "", "", "x" },
        { "id BIGINT NOT NULL, name STRING", "name STRING", SchemaChangeKind.Incompatible, "", "", "", "id" },
        { "id BIGINT NOT NULL", "id BIGINT NOT NULL, qty INT NOT NULL", SchemaChangeKind.Incompatible, "", "", "", "qty" },
        { "t TIMESTAMP(3)", "t TIMESTAMP(6)", SchemaChangeKind.Incompatible, "", "", "", "t" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Create_HandWrittenCases_DecideAsTheRulesSay(string table, string incoming, SchemaChangeKind kind, string added, string nullFilled, string promoted, string? field)
    {
        var plan = SchemaEvolutionPlan.Create(Schema.Parse(table), Schema.Parse(incoming));

        plan.Kind.ShouldBe(kind);
        string.Join(", ", plan.AddedColumns).ShouldBe(added);
        string.Join(", ", plan.NullFilledColumns).ShouldBe(nullFilled);
        string.Join(", ", plan.PromotedColumns).ShouldBe(promoted);
        plan.Field.ShouldBe(field);
        (plan.Reason is null).ShouldBe(kind != SchemaChangeKind.Incompatible);
    }

    [Fact]
    public void Create_NewNullableColumns_EvolvedTableAppendsThemInRowOrder()
    {
        var table = Schema.Parse("id BIGINT NOT NULL, name STRING");
        var incoming = new Schema(Schema.Parse("email STRING, id BIGINT NOT NULL, age INT, name STRING")) { Origin = V2 };

        var plan = SchemaEvolutionPlan.Create(table, incoming);

        plan.Evolved.ToString().ShouldBe("ROW<id BIGINT NOT NULL, name VARCHAR, email VARCHAR, age INT>");
        plan.Evolved.Origin.ShouldBe(V2);
        plan.ChangesTable.ShouldBeTrue();
        plan.ToString().ShouldBe("adds email VARCHAR, age INT");
    }

    [Fact]
    public void Create_NoColumnAdded_EvolvedIsTheTableItself()
    {
        var table = Schema.Parse("id BIGINT NOT NULL, name STRING");

        var plan = SchemaEvolutionPlan.Create(table, Schema.Parse("id BIGINT NOT NULL"));

        plan.Evolved.ShouldBeSameAs(table);
        plan.ChangesTable.ShouldBeFalse();
    }

    [Fact]
    public void Create_NullableIntoNotNullColumn_RelaxesTheColumn()
    {
        var plan = SchemaEvolutionPlan.Create(Schema.Parse("id BIGINT NOT NULL"), Schema.Parse("id BIGINT"));

        plan.Evolved.ToString().ShouldBe("ROW<id BIGINT>");
        plan.ChangesTable.ShouldBeTrue();
    }

    [Fact]
    public void Reason_ChangedType_NamesFieldOldAndNewTypeAndOrigin()
    {
        var incoming = new Schema(Schema.Parse("id BIGINT NOT NULL, amount STRING")) { Origin = V2 };

        var plan = SchemaEvolutionPlan.Create(Schema.Parse("id BIGINT NOT NULL, amount INT"), incoming);

        plan.Reason.ShouldBe("The field 'amount' changed type from INT to VARCHAR in rows of subject 'orders-value' version 2 (id 7); a column's type is never changed (only INT into BIGINT and FLOAT into DOUBLE columns are widened)");
    }

    [Fact]
    public void Reason_DroppedRequiredField_NamesFieldAndOrigin()
    {
        var incoming = new Schema(Schema.Parse("name STRING")) { Origin = V2 };

        var plan = SchemaEvolutionPlan.Create(Schema.Parse("id BIGINT NOT NULL, name STRING"), incoming);

        plan.Reason.ShouldBe("The required field 'id' (BIGINT NOT NULL) is missing from rows of subject 'orders-value' version 2 (id 7); a NOT NULL column cannot be dropped");
    }

    [Fact]
    public void Reason_NoOrigin_NamesTheSchemaText()
    {
        var plan = SchemaEvolutionPlan.Create(Schema.Parse("id BIGINT NOT NULL"), Schema.Parse("id BIGINT NOT NULL, qty INT NOT NULL"));

        plan.Reason.ShouldBe("The new field 'qty' (INT NOT NULL) of rows of ROW<id BIGINT NOT NULL, qty INT NOT NULL> is NOT NULL without a default, but the table's existing rows have no value for it; make it nullable (or give it a default in the registry)");
    }

    [Fact]
    public void Project_OldAndNewRows_MapByNameWithNullsAndPromotions()
    {
        var table = Schema.Parse("id BIGINT NOT NULL, n BIGINT, x DOUBLE, name STRING");
        var incoming = Schema.Parse("name STRING, id BIGINT NOT NULL, n INT, x FLOAT, email STRING");
        var plan = SchemaEvolutionPlan.Create(table, incoming);
        var target = new Row(plan.Evolved);

        plan.Project(Row.Of(incoming, "ann", 7L, 42, 1.5f, "a@x"), target);

        target.ToString().ShouldBe("+I[7, 42, 1.5, ann, a@x]");
        var old = SchemaEvolutionPlan.Create(table, Schema.Parse("id BIGINT NOT NULL"));
        var oldTarget = new Row(table);
        old.Project(Row.Of(old.Incoming, 8L), oldTarget);
        oldTarget.ToString().ShouldBe("+I[8, null, null, null]");
    }

    [Fact]
    public void Project_KeepsTheRowKind()
    {
        var table = Schema.Parse("id BIGINT NOT NULL");
        var incoming = Schema.Parse("id BIGINT NOT NULL, v STRING");
        var plan = SchemaEvolutionPlan.Create(table, incoming);
        var source = Row.Of(incoming, 1L, "v");
        source.Kind = RowKind.Delete;
        var target = new Row(plan.Evolved);

        plan.Project(source, target);

        target.Kind.ShouldBe(RowKind.Delete);
    }

    [Fact]
    public void Project_IncompatiblePlan_Throws() =>
        Should.Throw<InvalidOperationException>(() =>
        {
            var plan = SchemaEvolutionPlan.Create(Schema.Parse("n INT"), Schema.Parse("n STRING"));
            plan.Project(Row.Of(plan.Incoming, "x"), new Row(plan.Table));
        }).Message.ShouldContain("'n' changed type from INT to VARCHAR");

    [Fact]
    public void Cache_SameSchemaObjects_ReturnsTheSamePlanWithoutAllocating()
    {
        var cache = new SchemaEvolutionPlanCache();
        var table = Schema.Parse("id BIGINT");
        var incoming = Schema.Parse("id BIGINT, v STRING");
        var first = cache.Get(table, incoming);

        var other = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            if (!ReferenceEquals(cache.Get(table, incoming), first))
            {
                other++;
            }
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        other.ShouldBe(0);
        allocated.ShouldBe(0);
    }

    [Fact]
    public void Cache_EqualButDistinctSchemas_PlanEachSoReasonsNameTheirOrigin()
    {
        var cache = new SchemaEvolutionPlanCache();
        var table = Schema.Parse("n INT");
        var v2 = new Schema(Schema.Parse("n STRING")) { Origin = V2 };
        var v3 = new Schema(Schema.Parse("n STRING")) { Origin = "subject 'orders-value' version 3 (id 9)" };

        cache.Get(table, v2).Reason!.ShouldContain("version 2");
        cache.Get(table, v3).Reason!.ShouldContain("version 3");
        cache.Get(table, v2).ShouldBeSameAs(cache.Get(table, v2));
        cache.Count.ShouldBe(2);
    }

    private static readonly DataType[] s_types =
    [
        DataType.Boolean, DataType.Int, DataType.BigInt, DataType.Float, DataType.Double, DataType.Varchar, DataType.Bytes,
        DataType.Date, DataType.Decimal(10, 2), DataType.Timestamp(3), DataType.Array(DataType.Int),
    ];

    private static readonly Gen<Schema> s_tables =
        Gen.Select(Gen.Int[0, s_types.Length - 1], Gen.Bool).Array[1, 8].Select(columns =>
            new Schema(columns.Select((c, i) => new Field($"c{i}", s_types[c.Item1].WithNullability(c.Item2)))));

    [Fact]
    public void Create_AddingAnySetOfNullableColumns_IsAlwaysCompatible() =>
        Gen.Select(s_tables, Gen.Int[0, s_types.Length - 1].Array[1, 5], Gen.Int).Sample((table, added, seed) =>
        {
            var fields = table.ToList();
            fields.AddRange(added.Select((t, i) => new Field($"new{i}", s_types[t])));
            var shuffled = fields.OrderBy(f => HashCode.Combine(f.Name, seed)).ToArray();

            var plan = SchemaEvolutionPlan.Create(table, new Schema(shuffled));

            plan.Kind.ShouldBe(SchemaChangeKind.Compatible);
            plan.AddedColumns.Select(f => f.Name).ShouldBe(shuffled.Where(f => f.Name.StartsWith("new", StringComparison.Ordinal)).Select(f => f.Name));
            plan.Evolved.Take(table.Count).ShouldBe(table);
        });

    [Fact]
    public void Create_ChangingAnyColumnToAnUnrelatedType_IsNeverCompatible() =>
        Gen.Select(s_tables, Gen.Int, Gen.Int[0, s_types.Length - 1]).Sample((table, which, type) =>
        {
            var index = (int)((uint)which % (uint)table.Count);
            var old = table[index].Type;
            var replacement = s_types[type];
            var promotion = (replacement.Kind, old.Kind) is (DataTypeKind.Int, DataTypeKind.BigInt) or (DataTypeKind.Float, DataTypeKind.Double);
            if (replacement.Nullable().Equals(old.Nullable()) || promotion)
            {
                return; // not a change to an unrelated type
            }
            var fields = table.ToArray();
            fields[index] = new Field(fields[index].Name, replacement.WithNullability(old.IsNullable));

            var plan = SchemaEvolutionPlan.Create(table, new Schema(fields));

            plan.Kind.ShouldBe(SchemaChangeKind.Incompatible);
            plan.Field.ShouldBe(table[index].Name);
            plan.Reason!.ShouldContain($"from {old} to {fields[index].Type}");
        });
}
