using Sluice.Schemas;
using Sluice.Sql.Expressions;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;
using Sluice.Testing;
using static Sluice.Sql.Tests.Runtime.Rows;

namespace Sluice.Sql.Tests.Runtime;

public sealed class RegularJoinOperatorTests
{
    private static readonly Schema s_left = Schema.Parse("id INT, lv STRING");
    private static readonly Schema s_right = Schema.Parse("id INT, rv STRING");

    private static RegularJoinSpec Spec(JoinKind kind) => new(s_left, s_right, [0], [0], kind);

    private static TwoInputHarness Harness(RegularJoinSpec spec, int parallelism = 1) =>
        new((l, r) => RegularJoinOperator.Apply(l, r, spec), parallelism);

    [Fact]
    public void Inner_InsertOnlyInputs_EmitsEachMatchingPairOnce()
    {
        using var join = Harness(Spec(JoinKind.Inner));

        join.PushLeft(Insert(s_left, 1, "a"))
            .PushRight(Insert(s_right, 1, "x"))
            .PushRight(Insert(s_right, 2, "y"))
            .PushLeft(Insert(s_left, 1, "b"));

        join.Output.ShouldBe(["+I[1, a, 1, x]", "+I[1, b, 1, x]"]);
    }

    [Fact]
    public void Left_FirstMatchRetractsPadding_LastMatchRestoresIt()
    {
        using var join = Harness(Spec(JoinKind.Left));

        join.PushLeft(Insert(s_left, 1, "a"))
            .PushRight(Insert(s_right, 1, "x"))
            .PushRight(Insert(s_right, 1, "y"))
            .PushRight(Delete(s_right, 1, "x"))
            .PushRight(Delete(s_right, 1, "y"))
            .PushLeft(Delete(s_left, 1, "a"));

        join.Output.ShouldBe(
        [
            "+I[1, a, null, null]",
            "-D[1, a, null, null]", "+I[1, a, 1, x]",
            "+I[1, a, 1, y]",
            "-D[1, a, 1, x]",
            "-D[1, a, 1, y]", "+I[1, a, null, null]",
            "-D[1, a, null, null]",
        ]);
    }

    [Fact]
    public void Full_UpdatesOnTheLeft_MovePaddingOfTheRightRow()
    {
        using var join = Harness(Spec(JoinKind.Full));

        join.PushRight(Insert(s_right, 2, "y"))
            .PushLeft(Insert(s_left, 2, "b"))
            .PushLeft(Before(s_left, 2, "b"))
            .PushLeft(After(s_left, 2, "c"));

        join.Output.ShouldBe(
        [
            "+I[null, null, 2, y]",
            "-D[null, null, 2, y]", "+I[2, b, 2, y]",
            "-D[2, b, 2, y]", "+I[null, null, 2, y]",
            "-D[null, null, 2, y]", "+I[2, c, 2, y]",
        ]);
    }

    [Fact]
    public void Left_DuplicateRows_KeepTheirMultiplicity()
    {
        using var join = Harness(Spec(JoinKind.Left));

        join.PushLeft(Insert(s_left, 1, "a"))
            .PushLeft(Insert(s_left, 1, "a"))
            .PushRight(Insert(s_right, 1, "x"))
            .PushLeft(Delete(s_left, 1, "a"));

        join.Output.ShouldBe(
        [
            "+I[1, a, null, null]", "+I[1, a, null, null]",
            "-D[1, a, null, null]", "-D[1, a, null, null]", "+I[1, a, 1, x]", "+I[1, a, 1, x]",
            "-D[1, a, 1, x]",
        ]);
    }

    [Fact]
    public void Inner_RetractionOfARowNotHeld_EmitsNothing()
    {
        using var join = Harness(Spec(JoinKind.Inner));

        join.PushRight(Insert(s_right, 1, "x")).PushLeft(Delete(s_left, 1, "never inserted"));

        join.Output.ShouldBeEmpty();
    }

    [Fact]
    public void Right_NullKeys_MatchNothing()
    {
        using var join = Harness(Spec(JoinKind.Right));

        join.PushRight(Insert(s_right, null, "z"))
            .PushLeft(Insert(s_left, null, "a"))
            .PushRight(Delete(s_right, null, "z"));

        join.Output.ShouldBe(["+I[null, null, null, z]", "-D[null, null, null, z]"]);
    }

    [Fact]
    public void Inner_NullSafeKey_MatchesNullWithNull()
    {
        using var join = Harness(Spec(JoinKind.Inner) with { NullSafeKeys = [true] });

        join.PushLeft(Insert(s_left, null, "a")).PushRight(Insert(s_right, null, "z"));

        join.Output.ShouldBe(["+I[null, a, null, z]"]);
    }

    [Fact]
    public void Semi_EmitsLeftRowWhileItHasAMatch()
    {
        using var join = Harness(Spec(JoinKind.Semi));

        join.PushLeft(Insert(s_left, 1, "a"))
            .PushRight(Insert(s_right, 1, "x"))
            .PushRight(Insert(s_right, 1, "y"))
            .PushLeft(Insert(s_left, 1, "b"))
            .PushRight(Delete(s_right, 1, "x"))
            .PushRight(Delete(s_right, 1, "y"));

        join.Output.ShouldBe(["+I[1, a]", "+I[1, b]", "-D[1, a]", "-D[1, b]"]);
    }

    [Fact]
    public void Anti_EmitsLeftRowWhileItHasNoMatch()
    {
        using var join = Harness(Spec(JoinKind.Anti));

        join.PushLeft(Insert(s_left, 1, "a"))
            .PushRight(Insert(s_right, 1, "x"))
            .PushRight(Delete(s_right, 1, "x"))
            .PushLeft(Delete(s_left, 1, "a"))
            .PushLeft(Insert(s_left, null, "n"));

        join.Output.ShouldBe(["+I[1, a]", "-D[1, a]", "+I[1, a]", "-D[1, a]", "+I[null, n]"]);
    }

    [Fact]
    public void Left_ResidualCondition_OnlySatisfyingPairsMatch()
    {
        var left = Schema.Parse("id INT, lv INT");
        var right = Schema.Parse("id INT, rv INT");
        var condition = JoinRows.ConditionSchema(left, right);
        var predicate = ExpressionCompiler.CompilePredicate(
            BoundExpressions.Compare(ComparisonOperator.LessOrEqual, BoundExpressions.Field(condition, "lv"), BoundExpressions.Field(condition, "rv")), condition);
        using var join = Harness(new RegularJoinSpec(left, right, [0], [0], JoinKind.Left) { Condition = predicate });

        join.PushLeft(Insert(left, 1, 5))
            .PushRight(Insert(right, 1, 3))
            .PushRight(Insert(right, 1, 7));

        join.Output.ShouldBe(["+I[1, 5, null, null]", "-D[1, 5, null, null]", "+I[1, 5, 1, 7]"]);
    }

    [Fact]
    public void Inner_OutputRows_CarryTheTimestampOfTheRecordThatMadeThem()
    {
        using var join = Harness(Spec(JoinKind.Inner));

        join.PushLeft(Insert(s_left, 1, "a"), 100).PushRight(Insert(s_right, 1, "x"), 250);

        join.Timestamped.Single().Timestamp.ShouldBe(250);
    }

    [Fact]
    public void Inner_StateTtl_ForgetsRowsNotWrittenWithinIt()
    {
        using var join = Harness(Spec(JoinKind.Inner) with { StateTtl = TimeSpan.FromSeconds(10) });

        join.PushLeft(Insert(s_left, 1, "old"));
        join.Driver.AdvanceProcessingTime(TimeSpan.FromSeconds(11));
        join.PushLeft(Insert(s_left, 1, "new"));
        join.Driver.AdvanceProcessingTime(TimeSpan.FromSeconds(5));
        join.PushRight(Insert(s_right, 1, "x"));

        join.Output.ShouldBe(["+I[1, new, 1, x]"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Left_SnapshotAndRestore_KeepsRowsAndAssociations(int parallelism)
    {
        TestSnapshot snapshot;
        using (var before = Harness(Spec(JoinKind.Left)))
        {
            before.PushLeft(Insert(s_left, 1, "a")).PushLeft(Insert(s_left, 2, "b")).PushRight(Insert(s_right, 2, "y"));
            snapshot = before.Driver.Snapshot();
        }
        using var after = Harness(Spec(JoinKind.Left), parallelism);
        after.Driver.InitializeState(snapshot);

        after.PushRight(Insert(s_right, 1, "x")).PushRight(Delete(s_right, 2, "y"));

        after.Output.ShouldBe(["-D[1, a, null, null]", "+I[1, a, 1, x]", "-D[2, b, 2, y]", "+I[2, b, null, null]"]);
    }

    [Fact]
    public void OutputSchema_RenamesClashingRightFieldsAndMakesPaddedSidesNullable()
    {
        var left = Schema.Parse("id INT NOT NULL, v STRING");
        var right = Schema.Parse("id INT NOT NULL, id0 INT NOT NULL");

        JoinRows.OutputSchema(left, right, JoinKind.Inner).ToString().ShouldBe("ROW<id INT NOT NULL, v VARCHAR, id1 INT NOT NULL, id0 INT NOT NULL>");
        JoinRows.OutputSchema(left, right, JoinKind.Right).ToString().ShouldBe("ROW<id INT, v VARCHAR, id1 INT NOT NULL, id0 INT NOT NULL>");
        JoinRows.OutputSchema(left, right, JoinKind.Full).ToString().ShouldBe("ROW<id INT, v VARCHAR, id1 INT, id0 INT>");
        JoinRows.OutputSchema(left, right, JoinKind.Anti).ShouldBeSameAs(left);
    }

    [Fact]
    public void Validate_KeysOfDifferentTypes_Rejected()
    {
        var spec = new RegularJoinSpec(s_left, s_right, [0], [1], JoinKind.Inner);

        Should.Throw<ArgumentException>(spec.Validate).Message
            .ShouldStartWith("Join key 1 compares left field 'id' (INT) with right field 'rv' (VARCHAR); cast both to one type first.");
    }

    [Fact]
    public void Validate_DecimalKeysOfDifferentScales_Rejected()
    {
        var spec = new RegularJoinSpec(Schema.Parse("d DECIMAL(10, 2)"), Schema.Parse("d DECIMAL(10, 3)"), [0], [0], JoinKind.Inner);

        Should.Throw<ArgumentException>(spec.Validate).Message
            .ShouldStartWith("Join key 1 compares left field 'd' (DECIMAL(10, 2)) with right field 'd' (DECIMAL(10, 3)); cast both to one type first.");
    }

    [Theory]
    [InlineData(JoinKind.Inner, true, true, ChangelogMode.InsertOnly)]
    [InlineData(JoinKind.Inner, true, false, ChangelogMode.All)]
    [InlineData(JoinKind.Left, true, true, ChangelogMode.All)]
    [InlineData(JoinKind.Anti, true, true, ChangelogMode.All)]
    // The parameter is object because JoinKind is internal and a public test method cannot name it.
    public void OutputMode_InsertOnlyOnlyForInnerOfInsertOnlyInputs(object kind, bool left, bool right, ChangelogMode expected) =>
        Spec((JoinKind)kind).OutputMode(left, right).ShouldBe(expected);
}
