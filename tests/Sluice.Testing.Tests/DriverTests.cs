namespace Sluice.Testing.Tests;

public class DriverTests
{
    private static readonly OutputTag<int> s_negative = new("negative");

    private sealed class SignSplitter : ProcessFunction<int, int>
    {
        public override void ProcessElement(int value, ProcessContext context, ICollector<int> output)
        {
            if (value < 0)
            {
                context.Output(s_negative, value);
            }
            else
            {
                output.Collect(value * 10);
            }
        }
    }

    [Fact]
    public void OperatorTestDriver_ProcessElement_OutputsWithTimestampsInOrder()
    {
        using var driver = new OperatorTestDriver<int, int>(s => s.Map(i => i + 1));
        driver.ProcessElement(1, 100).ProcessElement(2).ProcessElement(3, 50);
        driver.Output.ShouldBe([(2, 100L), (3, EventTime.NoTimestamp), (4, 50L)]);
        driver.Values.ShouldBe([2, 3, 4]);
    }

    [Fact]
    public void OperatorTestDriver_SideOutput_CollectsTaggedRecords()
    {
        using var driver = new OperatorTestDriver<int, int>(s => s.Process(new SignSplitter()));
        var negatives = driver.SideOutput(s_negative);
        driver.SideOutput(s_negative).ShouldBeSameAs(negatives);
        driver.ProcessElement(1, 1).ProcessElement(-2, 2).ProcessElement(3, 3);
        driver.Values.ShouldBe([10, 30]);
        negatives.TimestampedItems.ShouldBe([(-2, 2L)]);
    }

    [Fact]
    public void OperatorTestDriver_SideOutputAfterInput_Throws()
    {
        using var driver = new OperatorTestDriver<int, int>(s => s.Process(new SignSplitter()));
        driver.ProcessElement(1, 1);
        Should.Throw<InvalidOperationException>(() => driver.SideOutput(s_negative)).Message.ShouldContain("before pushing input");
    }

    [Fact]
    public void OperatorTestDriver_Finish_CompletesTheJob()
    {
        using var driver = new OperatorTestDriver<int, int>(s => s.Map(i => i));
        driver.ProcessElement(1, 1).Finish();
        driver.Job.IsFinished.ShouldBeTrue();
        driver.Values.ShouldBe([1]);
    }

    [Fact]
    public void OperatorTestDriver_UserException_SurfacesAsJobExecutionException()
    {
        using var driver = new OperatorTestDriver<int, int>(s => s.Map(i => 10 / i, "Divide"));
        var error = Should.Throw<JobExecutionException>(() => driver.ProcessElement(0, 1));
        error.Message.ShouldContain("Divide");
    }

    [Fact]
    public void JobTestDriver_RunToCompletionWithOpenInput_ThrowsNamingIt()
    {
        using var driver = new JobTestDriver();
        var input = driver.CreateInput<int>(name: "Orders");
        input.Stream.Collect();
        input.Push(1);
        Should.Throw<InvalidOperationException>(() => driver.RunToCompletion()).Message.ShouldContain("Orders");
        driver.IsFinished.ShouldBeFalse();
    }

    [Fact]
    public void JobTestDriver_TwoInputs_CompleteBoth_Finishes()
    {
        using var driver = new JobTestDriver();
        var a = driver.CreateInput<int>(name: "A");
        var b = driver.CreateInput<int>(name: "B");
        var sink = a.Stream.Union(b.Stream).Collect();
        a.Push(1);
        b.PushAll([(2, 20L), (3, 30L)]);
        a.Complete();
        b.Complete();
        driver.RunToCompletion();
        driver.IsFinished.ShouldBeTrue();
        sink.Items.Order().ShouldBe([1, 2, 3]);
    }

    [Fact]
    public void JobTestDriver_StartTwice_Throws()
    {
        using var driver = new JobTestDriver();
        driver.CreateInput<int>().Stream.Collect();
        driver.Start();
        driver.Plan.ShouldContain("TestInput");
        Should.Throw<InvalidOperationException>(() => driver.Start());
    }

    [Fact]
    public void JobTestDriver_NoSinks_StartThrows()
    {
        using var driver = new JobTestDriver();
        driver.CreateInput<int>();
        Should.Throw<InvalidOperationException>(() => driver.Start()).Message.ShouldContain("no sinks");
    }

    [Fact]
    public void JobTestDriver_ReplacesModeAndClock()
    {
        using var driver = new JobTestDriver(new JobOptions { Mode = ExecutionMode.Parallel, Parallelism = 3 });
        driver.Environment.Options.Mode.ShouldBe(ExecutionMode.Deterministic);
        driver.Environment.Options.TimeProvider.ShouldBeSameAs(driver.Clock);
        driver.Environment.Options.Parallelism.ShouldBe(3);
    }

    [Fact]
    public void JobTestDriver_AdvanceProcessingTime_MovesClock()
    {
        using var driver = new JobTestDriver(start: DateTimeOffset.UnixEpoch.AddSeconds(10));
        driver.CreateInput<int>().Stream.Collect();
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(250));
        driver.Clock.NowMs.ShouldBe(10_250);
    }

    [Fact]
    public void TestInput_PushAfterComplete_Throws()
    {
        using var driver = new JobTestDriver();
        var input = driver.CreateInput<int>();
        input.Stream.Collect();
        input.Complete();
        Should.Throw<InvalidOperationException>(() => input.Push(1));
        Should.Throw<InvalidOperationException>(() => input.PushWatermark(1));
    }

    [Fact]
    public void Dispose_ThenUse_ThrowsObjectDisposed()
    {
        var driver = new JobTestDriver();
        driver.CreateInput<int>().Stream.Collect();
        driver.Dispose();
        Should.Throw<ObjectDisposedException>(() => driver.RunUntilIdle());
    }
}
