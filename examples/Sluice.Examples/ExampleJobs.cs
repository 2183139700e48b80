using Sluice.Examples.Clickstream;

namespace Sluice.Examples;

/// <summary>What the quick-start example job produced.</summary>
/// <param name="Events">Events generated.</param>
/// <param name="Unique">Events left after dedup.</param>
/// <param name="Duplicates">Repeated event ids removed.</param>
/// <param name="PageCounts">Views per page and minute.</param>
/// <param name="Sessions">User sessions.</param>
/// <param name="Result">The job's run report.</param>
public sealed record ExampleRun(int Events, int Unique, int Duplicates, IReadOnlyList<PageCount> PageCounts, IReadOnlyList<UserSession> Sessions, JobResult Result);

/// <summary>The end-to-end example job the quick start runs: generated clicks → dedup → page counts and sessions.</summary>
public static class ExampleJobs
{
    /// <summary>Runs the click-stream example on <paramref name="events"/> generated events.</summary>
    public static async Task<ExampleRun> RunClickstreamAsync(int events, int seed, int parallelism, CancellationToken cancellationToken = default)
    {
        var env = StreamEnvironment.Create(new JobOptions { JobName = "clickstream-example", Parallelism = parallelism });
        var duplicates = new OutputTag<ClickEvent>("duplicates");
        var clicks = env.FromCollection(new ClickGenerator(seed).Generate(events), ClickPipelines.Watermarks).Name("ClickGenerator");
        var unique = ClickPipelines.Deduplicate(clicks, duplicates);
        var duplicateSink = unique.GetSideOutput(duplicates).Collect("Duplicates");
        var uniqueCount = new CountingSink<ClickEvent>();
        unique.SinkTo(uniqueCount, "UniqueEvents");
        var pages = ClickPipelines.PageViewsPerMinute(unique).Collect("PageCounts");
        var sessions = ClickPipelines.SessionsWithWindows(unique, TimeSpan.FromMinutes(15)).Collect("Sessions");
        var result = await env.ExecuteAsync(cancellationToken);
        return new ExampleRun(events, (int)uniqueCount.Count, duplicateSink.Count, pages.Items, sessions.Items, result);
    }

    private sealed class CountingSink<T> : Sinks.ISink<T>
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public int MaxParallelism => 0;

        public Sinks.ISinkWriter<T> CreateWriter(Sinks.SinkContext context) => new Writer(this);

        private sealed class Writer(CountingSink<T> sink) : Sinks.ISinkWriter<T>
        {
            public void Write(T value, long timestamp) => Interlocked.Increment(ref sink._count);

            public void Flush() { }

            public void Dispose() { }
        }
    }
}
