using CsCheck;
using Sluice.Cli.Sql;
using Sluice.Schemas;
using Sluice.Sql.Session;

namespace Sluice.Cli.Tests;

/// <summary>The live SELECT view of <c>sluice sql</c>: a changelog applied to a materialized table, or listed.</summary>
public sealed class ChangelogTableViewTests
{
    private static readonly Schema s_schema = Schema.Parse("word STRING, n BIGINT");

    private static Row Row(RowKind kind, string word, long? n)
    {
        var row = Schemas.Row.Of(s_schema, word, n);
        row.Kind = kind;
        return row;
    }

    [Fact]
    public void Apply_TableMode_UpdatesReplaceTheRetractedRow()
    {
        var view = new ChangelogTableView(s_schema, SqlResultMode.Table);

        view.Apply(Row(RowKind.Insert, "a", 1));
        view.Apply(Row(RowKind.Insert, "b", 1));
        view.Apply(Row(RowKind.UpdateBefore, "a", 1));
        view.Apply(Row(RowKind.UpdateAfter, "a", 2));
        view.Apply(Row(RowKind.Delete, "b", 1));

        view.Columns.ShouldBe(["word", "n"]);
        view.Rows.Select(static r => string.Join(",", r)).ShouldBe(["a,2"]);
        view.Changes.ShouldBe(5);
        view.UnmatchedRetractions.ShouldBe(0);
    }

    [Fact]
    public void Apply_TableModeRetractionWithoutItsRow_IsCounted()
    {
        var view = new ChangelogTableView(s_schema, SqlResultMode.Table);

        view.Apply(Row(RowKind.Delete, "a", 1));

        view.Rows.ShouldBeEmpty();
        view.UnmatchedRetractions.ShouldBe(1);
    }

    [Fact]
    public void Apply_ChangelogMode_ListsEveryRowWithItsKind()
    {
        var view = new ChangelogTableView(s_schema, SqlResultMode.Changelog);

        view.Apply(Row(RowKind.Insert, "a", 1));
        view.Apply(Row(RowKind.UpdateBefore, "a", 1));
        view.Apply(Row(RowKind.UpdateAfter, "a", null));

        view.Columns.ShouldBe(["op", "word", "n"]);
        view.Rows.Select(static r => string.Join(",", r)).ShouldBe(["+I,a,1", "-U,a,1", "+U,a,NULL"]);
    }

    [Fact]
    public void Apply_MoreRowsThanTheLimit_KeepsTheNewest()
    {
        var view = new ChangelogTableView(s_schema, SqlResultMode.Changelog, maxRows: 2);

        view.Apply(Row(RowKind.Insert, "a", 1));
        view.Apply(Row(RowKind.Insert, "b", 2));
        view.Apply(Row(RowKind.Insert, "c", 3));

        view.Rows.Select(static r => r[1]).ShouldBe(["b", "c"]);
    }

    [Fact]
    public void Render_Table_HasTheColumnsAndACaption()
    {
        var view = new ChangelogTableView(s_schema, SqlResultMode.Table);
        view.Apply(Row(RowKind.Insert, "a", 1));

        var table = view.Render();

        table.Columns.Select(static c => ((Spectre.Console.Markup)c.Header).ToString()).Count().ShouldBe(2);
        table.Rows.Count.ShouldBe(1);
        table.Caption!.Text.ShouldBe("1 rows, 1 changes");
    }

    [Fact]
    public void Apply_RandomInsertsAndRetractions_MatchesAMultisetModel()
    {
        // Each step inserts a word or retracts (as -U or -D) one the model holds; the view must hold the same multiset.
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 100], Gen.Bool).Array[1, 60].Sample(static steps =>
        {
            var view = new ChangelogTableView(s_schema, SqlResultMode.Table);
            var model = new List<string>();
            foreach (var (word, pick, asDelete) in steps)
            {
                if (word == 0 && model.Count > 0)
                {
                    var victim = model[pick % model.Count];
                    model.Remove(victim);
                    view.Apply(Row(asDelete ? RowKind.Delete : RowKind.UpdateBefore, victim, 1));
                }
                else
                {
                    var text = ((char)('a' + word)).ToString();
                    model.Add(text);
                    view.Apply(Row(asDelete ? RowKind.Insert : RowKind.UpdateAfter, text, 1));
                }
            }

            return view.UnmatchedRetractions == 0
                && view.Rows.Select(static r => r[0]).Order(StringComparer.Ordinal).SequenceEqual(model.Order(StringComparer.Ordinal));
        });
    }
}
