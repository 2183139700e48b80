using Sluice.Nexmark.Generation;
using Sluice.Nexmark.Model;
using Sluice.Nexmark.Queries;
using Sluice.Nexmark.Results;
using Sluice.Nexmark.Streaming;

namespace Sluice.Nexmark.Tests;

/// <summary>20k events over 100 s of event time (200/s, shuffled within groups of 50 = 250 ms): many windows and sessions close mid-stream.</summary>
public sealed class EventsFixture
{
    public Event[] Events { get; } = NexmarkGenerator.GenerateAll(new GeneratorConfig { EventCount = 20_000, Seed = 7, EventsPerSecond = 200, OutOfOrderGroupSize = 50 });
}

public class EngineAgreementTests(EventsFixture fixture) : IClassFixture<EventsFixture>
{
    [Theory]
    [MemberData(nameof(Queries))]
    public void RxAndDuckDb_SmallInput_MatchHandwritten(NexmarkQuery query)
    {
        var settings = new QueryRunSettings(2, KeepRows: true);
        using var handwritten = new HandwrittenEngine();
        var expected = handwritten.Run(query, fixture.Events, settings);
        using var duck = new DuckDbEngine();
        duck.Prepare(fixture.Events, 2);
        using var rx = new RxEngine();
        foreach (IQueryEngine engine in new IQueryEngine[] { duck, rx })
        {
            if (!engine.Supports(query))
            {
                continue;
            }
            var actual = engine.Run(query, fixture.Events, settings);
            actual.Checksum.ShouldBe(expected.Checksum, $"{query.Name()} on {engine.Engine}");
            if (query != NexmarkQuery.Q12)
            {
                Sorted(actual).ShouldBe(Sorted(expected), $"{query.Name()} on {engine.Engine}");
            }
        }
    }

    public static TheoryData<NexmarkQuery> Queries()
    {
        var data = new TheoryData<NexmarkQuery>();
        foreach (var q in NexmarkQueries.All)
        {
            data.Add(q);
        }
        return data;
    }

    private static List<string> Sorted(QueryOutput output) => output.Rows!.Select(RowJson.Format).Order(StringComparer.Ordinal).ToList();

    [Theory]
    [MemberData(nameof(Queries))]
    public void Sluice_DeterministicAndParallel_MatchHandwritten(NexmarkQuery query)
    {
        var settings = new QueryRunSettings(1, KeepRows: true);
        using var handwritten = new HandwrittenEngine();
        var expected = handwritten.Run(query, fixture.Events, settings);
        if (query != NexmarkQuery.Q12)
        {
            expected.Count.ShouldBeGreaterThan(0, $"{query.Name()} produced no rows on 20k events: the comparison would prove nothing");
        }
        // The checkpointing configurations checkpoint every 5 ms: barriers flow (and align at the joins) throughout the run;
        // the last one snapshots RocksDB state while the tasks keep writing it.
        var rocksDb = new Sluice.State.RocksDbStateBackend { Directory = Path.Combine(Path.GetTempPath(), "sluice-tests-rocksdb") };
        var configurations = new (ExecutionMode Mode, int Parallelism, TimeSpan? Checkpoints, Sluice.State.StateBackendOptions Backend)[]
        {
            (ExecutionMode.Deterministic, 1, null, Sluice.State.HeapStateBackend.Instance), (ExecutionMode.Deterministic, 3, null, Sluice.State.HeapStateBackend.Instance),
            (ExecutionMode.Parallel, 2, null, Sluice.State.HeapStateBackend.Instance), (ExecutionMode.Parallel, 2, TimeSpan.FromMilliseconds(5), Sluice.State.HeapStateBackend.Instance),
            (ExecutionMode.Deterministic, 3, null, rocksDb), (ExecutionMode.Parallel, 2, TimeSpan.FromMilliseconds(5), rocksDb),
            // At parallelism 1 keyed operators are chained to what feeds them (a flat map hands q7's records straight on).
            (ExecutionMode.Parallel, 1, TimeSpan.FromMilliseconds(5), Sluice.State.HeapStateBackend.Instance), (ExecutionMode.Parallel, 1, TimeSpan.FromMilliseconds(5), rocksDb),
        };
        foreach (var (mode, parallelism, checkpoints, backend) in configurations)
        {
            using var sluice = new SluiceEngine(mode);
            var actual = sluice.Run(query, fixture.Events, settings with { Parallelism = parallelism, CheckpointInterval = checkpoints, StateBackend = backend });
            var what = $"{query.Name()} {mode} p={parallelism} checkpoints={checkpoints?.TotalMilliseconds.ToString() ?? "off"} state={backend.Name}";
            actual.Checksum.ShouldBe(expected.Checksum, what);
            if (query != NexmarkQuery.Q12)
            {
                Sorted(actual).ShouldBe(Sorted(expected), what);
            }
        }
    }
}
