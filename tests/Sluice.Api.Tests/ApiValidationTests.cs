using Sluice.Windowing;

namespace Sluice.Api.Tests;

public class ApiValidationTests
{
    private sealed record Item(string Key, long Ts);

    private sealed class Unhashable;

    private static DataStream<Item> Stream(StreamEnvironment? env = null) =>
        (env ?? StreamEnvironment.Create()).FromCollection(new[] { new Item("a", 1) });

    [Fact]
    public void Map_NullFunction_ThrowsArgumentNull()
    {
        Should.Throw<ArgumentNullException>(() => Stream().Map<int>(null!)).ParamName.ShouldBe("map");
        Should.Throw<ArgumentNullException>(() => Stream().Filter(null!)).ParamName.ShouldBe("predicate");
        Should.Throw<ArgumentNullException>(() => Stream().FlatMap<int>(null!)).ParamName.ShouldBe("flatMap");
        Should.Throw<ArgumentNullException>(() => Stream().Process<int>(null!)).ParamName.ShouldBe("function");
        Should.Throw<ArgumentNullException>(() => Stream().KeyBy<string>(null!)).ParamName.ShouldBe("keySelector");
        Should.Throw<ArgumentNullException>(() => Stream().KeyBy(i => i.Key).Reduce(null!)).ParamName.ShouldBe("reduce");
        Should.Throw<ArgumentNullException>(() => Stream().KeyBy(i => i.Key).Window(null!)).ParamName.ShouldBe("assigner");
    }

    [Fact]
    public void Transform_NullOrEmptyArguments_Throw()
    {
        Should.Throw<ArgumentNullException>(() => Stream().Transform<int>("Op", null!)).ParamName.ShouldBe("operatorFactory");
        Should.Throw<ArgumentException>(() => Stream().Transform<int>(" ", () => null!)).ParamName.ShouldBe("name");
        Should.Throw<ArgumentNullException>(() => Stream().KeyBy(i => i.Key).Transform<int>("Op", null!)).ParamName.ShouldBe("operatorFactory");
    }

    [Fact]
    public void TumblingWindows_NonPositiveSize_ThrowsWithParameterAndValue()
    {
        var error = Should.Throw<ArgumentOutOfRangeException>(() => TumblingEventTimeWindows.Of(TimeSpan.Zero));
        error.ParamName.ShouldBe("size");
        error.Message.ShouldContain("at least 1 ms");
        Should.Throw<ArgumentOutOfRangeException>(() => TumblingProcessingTimeWindows.Of(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void TumblingWindows_OffsetOutsideSize_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)))
            .ParamName.ShouldBe("offset");
        Should.Throw<ArgumentOutOfRangeException>(() => TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void SlidingWindows_SlideLargerThanSize_ThrowsExplainingWhy()
    {
        var error = Should.Throw<ArgumentOutOfRangeException>(() => SlidingEventTimeWindows.Of(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)));
        error.ParamName.ShouldBe("slide");
        error.Message.ShouldContain("must not exceed its size");
        Should.Throw<ArgumentOutOfRangeException>(() => SlidingEventTimeWindows.Of(TimeSpan.FromSeconds(5), TimeSpan.Zero));
        Should.Throw<ArgumentOutOfRangeException>(() => SlidingProcessingTimeWindows.Of(TimeSpan.Zero, TimeSpan.Zero));
    }

    [Fact]
    public void SessionAndCountWindows_NonPositive_Throw()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => EventTimeSessionWindows.WithGap(TimeSpan.Zero)).ParamName.ShouldBe("gap");
        Should.Throw<ArgumentOutOfRangeException>(() => ProcessingTimeSessionWindows.WithGap(TimeSpan.FromMilliseconds(-5)));
        Should.Throw<ArgumentOutOfRangeException>(() => GlobalWindows.OfCount(0)).ParamName.ShouldBe("count");
    }

    [Fact]
    public void AllowedLateness_Negative_Throws()
    {
        var windowed = Stream().KeyBy(i => i.Key).Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1)));
        var error = Should.Throw<ArgumentOutOfRangeException>(() => windowed.AllowedLateness(TimeSpan.FromSeconds(-1)));
        error.ParamName.ShouldBe("lateness");
        error.Message.ShouldContain("must not be negative");
    }

    [Fact]
    public void AllowedLateness_OnProcessingTimeWindows_ThrowsInvalidOperation()
    {
        var windowed = Stream().KeyBy(i => i.Key).Window(SlidingProcessingTimeWindows.Of(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        Should.Throw<InvalidOperationException>(() => windowed.AllowedLateness(TimeSpan.FromSeconds(1))).Message.ShouldContain("event-time windows only");
        // Zero lateness is the default and stays allowed.
        windowed.AllowedLateness(TimeSpan.Zero).ShouldNotBeNull();
    }

    [Fact]
    public void SideOutputLateData_NullTag_Throws()
    {
        var windowed = Stream().KeyBy(i => i.Key).Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1)));
        Should.Throw<ArgumentNullException>(() => windowed.SideOutputLateData(null!));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(129)]
    public void SetParallelism_OutOfRange_ThrowsNamingOperatorAndRange(int parallelism)
    {
        var mapped = Stream().Map(i => i, "Enrich");
        var error = Should.Throw<ArgumentOutOfRangeException>(() => mapped.SetParallelism(parallelism));
        error.Message.ShouldContain("'Enrich'");
        error.Message.ShouldContain("[1, 128]");
    }

    [Fact]
    public void SetParallelism_AboveSourceMaximum_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => Stream().SetParallelism(2)).Message.ShouldContain("at most 1");
    }

    [Fact]
    public void SetParallelism_OnUnion_ThrowsInvalidOperation()
    {
        var env = StreamEnvironment.Create();
        var union = Stream(env).Union(Stream(env));
        Should.Throw<InvalidOperationException>(() => union.SetParallelism(2)).Message.ShouldContain("union or side output");
    }

    [Theory]
    [InlineData(0, 128)]
    [InlineData(129, 128)]
    [InlineData(1, 0)]
    [InlineData(1, 40_000)]
    public void JobOptions_ParallelismOrKeyGroupsOutOfRange_Throws(int parallelism, int keyGroups)
    {
        var error = Should.Throw<ArgumentOutOfRangeException>(() => StreamEnvironment.Create(new JobOptions { Parallelism = parallelism, KeyGroupCount = keyGroups }));
        error.ParamName.ShouldBeOneOf("Parallelism", "KeyGroupCount");
    }

    [Fact]
    public void JobOptions_NonPositiveBatchOrCapacity_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => StreamEnvironment.Create(new JobOptions { BatchSize = 0 })).ParamName.ShouldBe("BatchSize");
        Should.Throw<ArgumentOutOfRangeException>(() => StreamEnvironment.Create(new JobOptions { ChannelCapacity = 0 })).ParamName.ShouldBe("ChannelCapacity");
    }

    [Fact]
    public async Task ExecuteAsync_JobWithoutSinks_ThrowsInvalidOperation()
    {
        var env = StreamEnvironment.Create();
        Stream(env).Map(i => i);
        var error = await Should.ThrowAsync<InvalidOperationException>(async () => await env.ExecuteAsync());
        error.Message.ShouldContain("no sinks");
        Should.Throw<InvalidOperationException>(() => env.Explain());
    }

    [Fact]
    public void IntervalJoin_WithoutBetween_ThrowsInvalidOperation()
    {
        var env = StreamEnvironment.Create();
        var join = Stream(env).KeyBy(i => i.Key).IntervalJoin(Stream(env).KeyBy(i => i.Key));
        Should.Throw<InvalidOperationException>(() => join.Process((a, b) => a)).Message.ShouldContain("Between");
    }

    [Fact]
    public void IntervalJoin_LowerAfterUpper_Throws()
    {
        var env = StreamEnvironment.Create();
        var join = Stream(env).KeyBy(i => i.Key).IntervalJoin(Stream(env).KeyBy(i => i.Key));
        Should.Throw<ArgumentOutOfRangeException>(() => join.Between(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(-1))).ParamName.ShouldBe("lower");
    }

    [Fact]
    public void UnionOrConnect_AcrossEnvironments_ThrowsArgument()
    {
        Should.Throw<ArgumentException>(() => Stream().Union(Stream()));
        Should.Throw<ArgumentException>(() => Stream().KeyBy(i => i.Key).Connect(Stream().KeyBy(i => i.Key)));
    }

    [Fact]
    public void KeyBy_TypeWithoutStableHash_ThrowsNotSupportedWithFix()
    {
        var error = Should.Throw<NotSupportedException>(() => Stream().KeyBy(_ => new Unhashable()));
        error.Message.ShouldContain("IKeyHasher");
    }

    [Fact]
    public void Deduplicate_NonPositiveHorizon_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => Stream().KeyBy(i => i.Key).Deduplicate(TimeSpan.FromSeconds(-1))).ParamName.ShouldBe("horizon");
    }

    [Fact]
    public void WatermarkStrategy_InvalidArguments_Throw()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => WatermarkStrategy<Item>.ForBoundedOutOfOrderness(TimeSpan.FromSeconds(-1)));
        Should.Throw<ArgumentOutOfRangeException>(() => WatermarkStrategy<Item>.ForMonotonousTimestamps().WithIdleness(TimeSpan.Zero));
        Should.Throw<ArgumentNullException>(() => WatermarkStrategy<Item>.ForMonotonousTimestamps().WithTimestampAssigner(null!));
    }

    [Fact]
    public void OutputTag_EmptyId_Throws()
    {
        Should.Throw<ArgumentException>(() => new OutputTag<int>(" "));
        new OutputTag<int>("x").ShouldBe(new OutputTag<int>("x"));
    }

    [Fact]
    public void Generate_NonPositiveRateOrNegativeCount_Throws()
    {
        var env = StreamEnvironment.Create();
        Should.Throw<ArgumentOutOfRangeException>(() => env.Generate(0, i => i));
        Should.Throw<ArgumentOutOfRangeException>(() => env.Generate(10, i => i, count: -1));
    }
}
