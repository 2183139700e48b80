using Sluice.Quality.Rules;
using Sluice.Testing;

namespace Sluice.Quality.Tests;

/// <summary>A rule whose predicate cannot evaluate a record (<see cref="CheckOutcome.Error"/>): the record is dead-lettered with the error, whatever the action but Fail, and the task goes on.</summary>
public class EvaluationErrorTests
{
    public sealed record Ratio(int Id, int Numerator, int Denominator);

    private static GuardedPredicateRule<Ratio> Rule(RuleAction action) =>
        new("ratio_positive", "denominator", r => r.Numerator / r.Denominator > 0, static e => e is DivideByZeroException, "numerator / denominator > 0", action);

    [Theory]
    [InlineData(RuleAction.DeadLetter)]
    [InlineData(RuleAction.Warn)]
    [InlineData(RuleAction.Drop)]
    public void Check_PredicateThrowsAnEvaluationError_DeadLettersTheRecordWithTheError(RuleAction action)
    {
        using var driver = new OperatorTestDriver<Ratio, Ratio>(input => new Expectation<Ratio>([Rule(action)], null, null).Apply(input, "ratios"));
        var letters = driver.SideOutput(DeadLetters.Tag);
        driver.ProcessElement(new Ratio(1, 4, 2), 1).ProcessElement(new Ratio(2, 4, 0), 2).ProcessElement(new Ratio(3, 6, 3), 3).Finish();

        driver.Values.Select(r => r.Id).ShouldBe([1, 3]);
        var letter = letters.Items.ShouldHaveSingleItem();
        (letter.Rule, letter.FieldPath, letter.Kind).ShouldBe(("ratio_positive", "denominator", DeadLetterKind.Rule));
        letter.Reason.ShouldBe("rule 'ratio_positive' (custom numerator / denominator > 0) failed on field 'denominator': the condition could not be evaluated: Attempted to divide by zero.");
    }

    [Fact]
    public void Check_FailRuleWhosePredicateThrows_FailsTheJobNamingTheError()
    {
        using var driver = new OperatorTestDriver<Ratio, Ratio>(input => new Expectation<Ratio>([Rule(RuleAction.Fail)], null, null).Apply(input, "ratios"));

        var error = Should.Throw<JobExecutionException>(() => driver.ProcessElement(new Ratio(2, 4, 0), 2).Finish());

        error.InnerException.ShouldBeOfType<RuleViolationException>().Message.ShouldStartWith(
            "Rule 'ratio_positive' (custom numerator / denominator > 0) failed on field 'denominator': the condition could not be evaluated: Attempted to divide by zero.");
    }

    [Fact]
    public void Check_PredicateThrowsAnotherException_FailsTheTask()
    {
        var rule = new GuardedPredicateRule<Ratio>("r", null, _ => throw new InvalidOperationException("bug"), static e => e is DivideByZeroException, "p", RuleAction.Warn);
        using var driver = new OperatorTestDriver<Ratio, Ratio>(input => new Expectation<Ratio>([rule], null, null).Apply(input, "ratios"));

        var error = Should.Throw<JobExecutionException>(() => driver.ProcessElement(new Ratio(1, 1, 1), 1).Finish());

        error.InnerException.ShouldBeOfType<InvalidOperationException>().Message.ShouldBe("bug");
    }
}
