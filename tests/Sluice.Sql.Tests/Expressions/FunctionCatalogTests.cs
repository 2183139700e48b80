using System.Reflection;
using Sluice.Schemas;
using Sluice.Sql.Expressions;
using static Sluice.Sql.Tests.Expressions.Sql;

namespace Sluice.Sql.Tests.Expressions;

public sealed class FunctionCatalogTests
{
    [Fact]
    public void Resolve_UnknownName_SuggestsClosest()
    {
        var error = Should.Throw<SqlException>(() => BuiltIns.Resolve("UPPR", [DataType.Varchar], new SqlPosition(7, 1, 8)));

        error.Message.ShouldBe("1:8: No function named 'UPPR'. Did you mean 'UPPER'?");
    }

    [Fact]
    public void Resolve_NoOverload_ListsSignatures()
    {
        var error = Should.Throw<SqlException>(() => BuiltIns.Resolve("substring", [DataType.Int, DataType.Varchar]));

        error.Message.ShouldBe("SUBSTRING cannot be called with (INT, VARCHAR); its signatures are SUBSTRING(VARCHAR, INT); SUBSTRING(VARCHAR, INT, INT).");
    }

    [Fact]
    public void Resolve_CaseInsensitive_WidensArguments()
    {
        var call = (CallExpression)BoundExpressions.Call(BuiltIns, "power", [Lit(2), Lit(3L)]);

        call.Function.Signature.ShouldBe("POWER(DOUBLE, DOUBLE)");
        call.Arguments[0].ShouldBeOfType<CastExpression>().Type.ShouldBe(DataType.Double.NotNull());
        Eval(call).ShouldBe(8.0);
    }

    [Fact]
    public void Resolve_PrefersExactOverload()
    {
        BoundExpressions.Call(BuiltIns, "ABS", [Lit(-2L)]).Type.ShouldBe(DataType.BigInt.NotNull());
        BoundExpressions.Call(BuiltIns, "ABS", [Lit(-2)]).Type.ShouldBe(DataType.Int.NotNull());
    }

    [Fact]
    public void Call_NullableArgument_NullableResult()
    {
        var schema = Schema.Parse("s STRING, t STRING NOT NULL");

        BoundExpressions.Call(BuiltIns, "UPPER", [BoundExpressions.Field(schema, "s")]).Type.ShouldBe(DataType.Varchar);
        BoundExpressions.Call(BuiltIns, "UPPER", [BoundExpressions.Field(schema, "t")]).Type.ShouldBe(DataType.Varchar.NotNull());
        BoundExpressions.Call(BuiltIns, "REGEXP_EXTRACT", [BoundExpressions.Field(schema, "t"), Lit("x")]).Type.ShouldBe(DataType.Varchar);
    }

    [Fact]
    public void Udf_InstanceWithOverloads_ResolvesByArguments()
    {
        var catalog = FunctionCatalog.CreateBuiltIn();
        catalog.Register("scale_by", new ScaleBy(10));

        Eval(BoundExpressions.Call(catalog, "SCALE_BY", [Lit(4)])).ShouldBe(40L);
        Eval(BoundExpressions.Call(catalog, "scale_by", [Lit("ab")])).ShouldBe("ab:10");
        BoundExpressions.Call(catalog, "scale_by", [Lit(4)]).Type.ShouldBe(DataType.BigInt.NotNull());
        Eval(BoundExpressions.Call(catalog, "scale_by", [Typed(null, "INT")])).ShouldBeNull();
    }

    [Fact]
    public void Udf_StaticEvalWithNullableParameter_ReceivesNull()
    {
        var catalog = FunctionCatalog.CreateBuiltIn();
        catalog.Register("or_default", typeof(OrDefault));

        Eval(BoundExpressions.Call(catalog, "or_default", [Typed(null, "BIGINT")])).ShouldBe(-1L);
        Eval(BoundExpressions.Call(catalog, "or_default", [Lit(5)])).ShouldBe(5L);
        BoundExpressions.Call(catalog, "or_default", [Typed(null, "BIGINT")]).Type.ShouldBe(DataType.BigInt.NotNull());
    }

    [Fact]
    public void Udf_StaticMethodWithHint_UsesHintedType()
    {
        var catalog = FunctionCatalog.CreateBuiltIn();
        catalog.Register("price", typeof(FunctionCatalogTests).GetMethod(nameof(PriceHinted), BindingFlags.Public | BindingFlags.Static)!);

        var call = BoundExpressions.Call(catalog, "price", [Lit(1234L)]);

        call.Type.ShouldBe(DataType.Parse("DECIMAL(10, 2) NOT NULL"));
        Eval(call).ShouldBe(12.34m);
        catalog.Register("price_default", typeof(FunctionCatalogTests).GetMethod(nameof(Price))!);
        BoundExpressions.Call(catalog, "price_default", [Lit(1L)]).Type.ShouldBe(DataType.Parse("DECIMAL(28, 10) NOT NULL"));
    }

    [Fact]
    public void Register_BuiltInName_Rejected()
    {
        var catalog = FunctionCatalog.CreateBuiltIn();

        Should.Throw<ArgumentException>(() => catalog.Register("upper", new ScaleBy(1))).Message.ShouldStartWith("'upper' is a built-in function");
    }

    [Fact]
    public void Register_NoEval_Rejected()
    {
        var catalog = FunctionCatalog.CreateBuiltIn();

        Should.Throw<ArgumentException>(() => catalog.Register("nothing", new object())).Message.ShouldStartWith("Function class Object has no public Eval method");
    }

    [Fact]
    public void Register_UnsupportedParameter_NamesIt()
    {
        var catalog = FunctionCatalog.CreateBuiltIn();

        Should.Throw<NotSupportedException>(() => catalog.Register("bad", new TakesGuidList())).Message.ShouldContain("List`1");
    }

    [Fact]
    public void Catalogs_AreIndependent()
    {
        var one = FunctionCatalog.CreateBuiltIn();
        one.Register("scale_by", new ScaleBy(2));

        Should.Throw<SqlException>(() => FunctionCatalog.CreateBuiltIn().Resolve("scale_by", [DataType.Int]));
    }

    public static decimal Price(long cents) => cents / 100m;

    [return: DataTypeHint("DECIMAL(10, 2)")]
    public static decimal PriceHinted(long cents) => cents / 100m;

    private sealed class ScaleBy(long factor)
    {
        public long Eval(long value) => value * factor;

        public string Eval(string value) => $"{value}:{factor}";
    }

    private static class OrDefault
    {
        public static long Eval(long? value) => value ?? -1;
    }

    private sealed class TakesGuidList
    {
        public int Eval(List<Guid> values) => values.Count;
    }
}
