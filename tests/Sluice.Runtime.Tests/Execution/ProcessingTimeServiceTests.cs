using Sluice.Runtime.Operators;
using Sluice.Runtime.Tasks;
using Sluice.Testing;

namespace Sluice.Runtime.Tests.Execution;

/// <summary>The task's processing-time wake-ups (<see cref="ProcessingTimeService"/>) on a manual clock.</summary>
public class ProcessingTimeServiceTests
{
    private static readonly DateTimeOffset s_t0 = DateTimeOffset.FromUnixTimeMilliseconds(1_000);

    [Fact]
    public void FireDue_StepReadTheClockJustBeforeTheWakeUp_ArmsTheWakeUpAgain()
    {
        // The wake-up for 1 100 ms goes off during a step that read the clock at 1 099 ms, so that step finds nothing
        // due. The one-shot timer is spent: unless the service arms it again, nothing calls the task back.
        var clock = new ManualTimeProvider(s_t0);
        var wakes = 0;
        using var service = new ProcessingTimeService(clock, () => wakes++);
        var op = new RecordingOperator();
        service.Request(0, 1_100);

        clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(1_099));
        service.BeginStep();
        service.StepNow.ShouldBe(1_099);
        clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(1_100));
        wakes.ShouldBe(1);
        service.FireDue([op]).ShouldBeFalse();
        service.EndStep();

        clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(1_100)); // fires what is due now
        wakes.ShouldBe(2, "the wake-up is armed again");
        service.BeginStep();
        service.FireDue([op]).ShouldBeTrue();
        service.EndStep();
        op.Calls.ShouldBe([1_100]);
    }

    private sealed class RecordingOperator : StreamOperator
    {
        public List<long> Calls { get; } = [];

        public override void OnProcessingTime(long now) => Calls.Add(now);
    }
}
