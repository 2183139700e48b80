using Sluice.Sql.Session;

namespace Sluice.Sql.Tests.EndToEnd;

/// <summary>ARRAY[…], MAP[…] and ROW(…) constructors through a session, with element and field access on the results.</summary>
public sealed class ConstructorTests
{
    private static Task<List<string>> RunAsync(string select) =>
        QueryRows.SortedTextAsync(SqlSession.Create(), $"{select} FROM (VALUES (1, 'a', CAST(NULL AS INT)), (2, 'b', 7)) AS t (n, s, z)");

    [Fact]
    public async Task Array_OfColumns_HoldsValuesAndNullsInOrder()
    {
        var rows = await RunAsync("SELECT ARRAY[n, z, n * 10]");

        rows.ShouldBe(["+I[[1, null, 10]]", "+I[[2, 7, 20]]"]);
    }

    [Fact]
    public async Task Array_ElementAccess_IsOneBasedAndNullOutOfRange()
    {
        var rows = await RunAsync("SELECT ARRAY[s, 'x'][2], ARRAY[n, 5][3]");

        rows.ShouldBe(["+I[x, null]", "+I[x, null]"]);
    }

    [Fact]
    public async Task Array_MixedNumericTypes_WidenToCommonType()
    {
        var rows = await QueryRows.ChangelogAsync(SqlSession.Create(), "SELECT ARRAY[n, CAST(2.5 AS DOUBLE)] FROM (VALUES (1)) AS t (n)");

        var array = rows.ShouldHaveSingleItem().GetArray(0).ShouldNotBeNull();
        array.ShouldBe([1.0, 2.5]);
        array[0].ShouldBeOfType<double>();
    }

    [Fact]
    public async Task Map_Lookup_FindsValueByKeyAndRepeatedKeyKeepsLast()
    {
        var rows = await RunAsync("SELECT MAP['one', 1, s, n, 'one', 11]['one'], MAP['one', 1, s, n][s], MAP['one', 1]['zz']");

        rows.ShouldBe(["+I[11, 1, null]", "+I[11, 2, null]"]);
    }

    [Fact]
    public async Task Row_FieldsNamedExprN_AreReadableByName()
    {
        var rows = await RunAsync("SELECT ROW(n, s).EXPR$1, (ROW(n, s)).EXPR$0 + 1");

        rows.ShouldBe(["+I[a, 2]", "+I[b, 3]"]);
    }

    [Fact]
    public void Array_MixedIncompatibleTypes_IsErrorNamingBoth()
    {
        var error = Should.Throw<SqlException>(() => SqlSession.Create().Execute("SELECT ARRAY[1, 'a']"));

        error.Message.ShouldContain("ARRAY[…] cannot mix INT NOT NULL and");
    }

    [Fact]
    public void Map_OddItems_IsErrorCountingThem()
    {
        var error = Should.Throw<SqlException>(() => SqlSession.Create().Execute("SELECT MAP['a', 1, 'b']"));

        error.Message.ShouldBe("1:23: MAP[…] needs keys and values in pairs, but it has 3 elements.");
    }

    [Fact]
    public void Row_BareNull_IsErrorAskingForCast()
    {
        var error = Should.Throw<SqlException>(() => SqlSession.Create().Execute("SELECT ROW(1, NULL)"));

        error.Message.ShouldContain("Field 2 of ROW(…) is a bare NULL");
    }
}

public sealed class ConstructorEvaluationTests
{
    [Fact]
    public void Map_NullKey_FailsTheRowNamingTheKey()
    {
        var map = Sluice.Sql.Expressions.BoundExpressions.MapOf([Expressions.Sql.Lit(1), Expressions.Sql.Lit(10), Expressions.Sql.Typed(null, "INT"), Expressions.Sql.Lit(20)]);

        Should.Throw<Sluice.Sql.Expressions.SqlEvaluationException>(() => Expressions.Sql.Eval(map)).Message.ShouldBe("MAP[…] key 2 is NULL; map keys cannot be NULL.");
    }

    [Fact]
    public void Array_Type_IsNotNullWithNullableElementsWhenAnyIs()
    {
        var array = Sluice.Sql.Expressions.BoundExpressions.ArrayOf([Expressions.Sql.Lit(1), Expressions.Sql.Typed(null, "INT")]);

        array.Type.ToString().ShouldBe("ARRAY<INT> NOT NULL");
    }
}
