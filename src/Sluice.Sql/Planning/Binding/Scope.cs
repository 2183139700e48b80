using Sluice.Schemas;
using Sluice.Sql.Expressions;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Planning;

/// <summary>
/// One FROM item as names see it: its qualifier (alias or table name), the names of its columns, and where they start
/// in the row of the node that binds the query.
/// </summary>
/// <param name="Qualifier">The alias, or the table/view name; null for an unnamed derived table.</param>
/// <param name="Offset">The index of the item's first column in the input row.</param>
/// <param name="Names">The item's column names (as the query sees them, before any join renaming).</param>
/// <param name="Qualified">
/// Names reachable only qualified (<c>t.k</c>) and left out of an unqualified <c>*</c>: the columns of a
/// <c>JOIN … USING (k)</c>, which the join's merged column <c>k</c> stands for. Null when there are none.
/// </param>
internal sealed record ScopeItem(string? Qualifier, int Offset, IReadOnlyList<string> Names, IReadOnlySet<string>? Qualified = null)
{
    /// <summary>Whether <paramref name="name"/> (column <c>i</c> of <see cref="Names"/>) is visible without a qualifier.</summary>
    public bool IsVisibleUnqualified(string name) => Qualified is null || !Qualified.Contains(name);
}

/// <summary>
/// The names visible to the expressions of one SELECT: the columns of its FROM items over the schema of the node the
/// FROM clause built. Resolves <c>col</c>, <c>t.col</c>, <c>t.col.field</c> and <c>col.field</c> (a ROW column's field)
/// to bound references; unknown names are errors naming the closest names that exist. A correlated subquery's scope
/// (<see cref="Correlated"/>) also sees an <see cref="Outer"/> query's names, which its own shadow. Immutable.
/// </summary>
internal sealed class Scope
{
    /// <summary>Creates a scope of <paramref name="items"/> over rows of <paramref name="row"/>.</summary>
    public Scope(Schema row, IReadOnlyList<ScopeItem> items, Scope? outer = null)
    {
        System.Diagnostics.Debug.Assert(outer is null || ReferenceEquals(outer.Row, row), "An outer scope reads the same (joined) row.");
        Row = row;
        Items = items;
        Outer = outer;
    }

    /// <summary>The schema of the rows the expressions read.</summary>
    public Schema Row { get; }

    /// <summary>The FROM items, in order.</summary>
    public IReadOnlyList<ScopeItem> Items { get; }

    /// <summary>The enclosing query's names, looked up when a name is none of <see cref="Items"/>'; null for a top-level scope.</summary>
    public Scope? Outer { get; }

    /// <summary>
    /// The scope of a correlated subquery planned as a join of <paramref name="outer"/>'s rows with
    /// <paramref name="inner"/>'s (<paramref name="joined"/>: the outer columns, then the inner ones): a name resolves
    /// among the subquery's own FROM items first, then among the outer query's, as standard SQL's scoping (an inner
    /// column shadows an outer one of the same name).
    /// </summary>
    public static Scope Correlated(Scope outer, Scope inner, Schema joined)
    {
        var items = new List<ScopeItem>(inner.Items.Count);
        foreach (var item in inner.Items)
        {
            items.Add(item with { Offset = item.Offset + outer.Row.Count });
        }

        return new Scope(joined, items, new Scope(joined, outer.Items));
    }

    /// <summary>A scope with one unnamed-or-named item covering all of <paramref name="row"/>.</summary>
    public static Scope Of(Schema row, string? qualifier) => new(row, [new ScopeItem(qualifier, 0, CalcNode.FieldNames(row))]);

    /// <summary>Both scopes side by side (a join): <paramref name="right"/>'s items shifted past <paramref name="left"/>'s row.</summary>
    public static Scope Join(Scope left, Scope right, Schema joined)
    {
        var items = new List<ScopeItem>(left.Items);
        foreach (var item in right.Items)
        {
            items.Add(item with { Offset = item.Offset + left.Row.Count });
        }

        return new Scope(joined, items);
    }

    /// <summary>Resolves a (maybe qualified, maybe field-accessing) name, in this scope, then in the <see cref="Outer"/> ones.</summary>
    /// <exception cref="SqlException">No table or column has the name, or a bare name is in two tables of one scope.</exception>
    public BoundExpression Resolve(SqlIdentifier identifier)
    {
        for (var scope = this; scope is not null; scope = scope.Outer)
        {
            if (scope.TryResolveHere(identifier) is { } resolved)
            {
                return resolved;
            }
        }

        var names = identifier.Names;
        if (names.Count >= 2)
        {
            throw new SqlException($"Table '{names[0]}' not found in the FROM clause, and no column is named '{names[0]}'.{NameSuggestions.DidYouMean(names[0], Qualifiers().Concat(AllNames()))}", identifier.Position);
        }

        throw new SqlException($"Column '{names[0]}' not found in any table of the FROM clause.{NameSuggestions.DidYouMean(names[0], AllNames(), orNearest: true)}", identifier.Position);
    }

    /// <summary>The name resolved among <see cref="Items"/> only; null when none has it.</summary>
    /// <exception cref="SqlException">A qualifier matches but its table has no such column, or a bare name is in two items.</exception>
    private BoundExpression? TryResolveHere(SqlIdentifier identifier)
    {
        var names = identifier.Names;
        if (names.Count >= 2)
        {
            var qualified = FindQualifier(names[0]);
            if (qualified is not null)
            {
                var index = IndexIn(qualified, names[1]);
                if (index < 0)
                {
                    throw new SqlException($"Column '{names[1]}' not found in table '{names[0]}'.{NameSuggestions.DidYouMean(names[1], qualified.Names, orNearest: true)}", identifier.Position);
                }

                return Access(Reference(qualified.Offset + index, identifier.Position), names, 2, identifier.Position);
            }
        }

        ScopeItem? found = null;
        var column = -1;
        foreach (var item in Items)
        {
            var index = IndexIn(item, names[0]);
            if (index < 0 || !item.IsVisibleUnqualified(names[0]))
            {
                continue;
            }

            if (found is not null)
            {
                throw new SqlException($"Column '{names[0]}' is ambiguous: it is a column of {Describe(found)} and of {Describe(item)}; qualify it (t.{names[0]}).", identifier.Position);
            }

            (found, column) = (item, item.Offset + index);
        }

        if (found is null)
        {
            return null;
        }

        return Access(Reference(column, identifier.Position), names, 1, identifier.Position);
    }

    /// <summary>The item whose qualifier is <paramref name="qualifier"/>, or null.</summary>
    public ScopeItem? FindQualifier(string qualifier)
    {
        foreach (var item in Items)
        {
            if (item.Qualifier == qualifier)
            {
                return item;
            }
        }

        return null;
    }

    /// <summary>The names of every column, of this scope and the outer ones, for suggestions.</summary>
    public IEnumerable<string> AllNames() => Outer is null ? Items.SelectMany(static i => i.Names) : Items.SelectMany(static i => i.Names).Concat(Outer.AllNames());

    /// <summary>A reference to field <paramref name="index"/> of the row.</summary>
    public InputReference Reference(int index, SqlPosition? position = null) => BoundExpressions.Field(Row, index, position);

    private IEnumerable<string> Qualifiers()
    {
        var own = Items.Where(static i => i.Qualifier is not null).Select(static i => i.Qualifier!);
        return Outer is null ? own : own.Concat(Outer.Qualifiers());
    }

    private static int IndexIn(ScopeItem item, string name)
    {
        for (var i = 0; i < item.Names.Count; i++)
        {
            if (item.Names[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Describe(ScopeItem item) => item.Qualifier is null ? "a subquery" : $"'{item.Qualifier}'";

    private static BoundExpression Access(BoundExpression value, SqlList<string> names, int from, SqlPosition position)
    {
        for (var i = from; i < names.Count; i++)
        {
            value = BoundExpressions.FieldAccess(value, names[i], position);
        }

        return value;
    }
}
