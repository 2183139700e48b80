using System.CommandLine;
using System.Diagnostics;
using Sluice.Checkpoints;
using Sluice.Connectors.Delta;
using Sluice.Connectors.DuckDb;
using Sluice.Schemas;

namespace Sluice.Bench.Cli.Suites;

/// <summary>
/// <c>sluice bench delta [--records N] [--runs N] [--interval-ms I] [--json]</c>: streaming append throughput of the
/// Delta sink against the plain Parquet lake sink, in one run. Both cases run the same job shape — a collection source
/// of the same orders (prepared before timing), parallelism 2, checkpoints every I ms — into files partitioned the
/// same way (by event date and hour, 4 hours of event time), so each writes one file per partition, subtask and
/// checkpoint. Runs alternate; the fastest of each is reported, and the ratio Delta ÷ Parquet throughput.
/// </summary>
internal static class DeltaBenchCommand
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, region STRING, amount DOUBLE, ts BIGINT NOT NULL, event_date DATE, hour BIGINT");
    private static readonly string[] s_regions = ["eu", "us", "apac", "latam"];
    private const long Start = 1_764_979_200_000L;

    /// <summary>Builds the <c>delta</c> subcommand for <c>sluice bench</c>.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var records = new Option<int>("--records") { Description = "Orders appended per run and case (at least 1).", DefaultValueFactory = _ => 1_000_000 }.MustBeAtLeast(1);
        var runs = new Option<int>("--runs") { Description = "Runs per case, alternating; the fastest is reported (at least 1).", DefaultValueFactory = _ => 3 }.MustBeAtLeast(1);
        var interval = new Option<int>("--interval-ms") { Description = "Checkpoint interval of both cases (1 to 3600000).", DefaultValueFactory = _ => 1000 }.MustBeBetween(1, 3_600_000);
        var command = new Command("delta", "Benchmark the Delta sink's streaming appends against the Parquet lake sink: same rows, checkpoint interval and partitions.") { json, records, runs, interval };
        command.SetAction(r =>
        {
            var cases = Run(r.GetValue(records), r.GetValue(runs), TimeSpan.FromMilliseconds(r.GetValue(interval)));
            return CaseReport.Print(cases, r.GetValue(json), "records", ("delta sink", "parquet lake sink", "Delta ÷ Parquet lake throughput"));
        });
        return command;
    }

    /// <summary>An order as the Parquet lake sink writes it (it derives event_date and hour from <see cref="Ts"/>).</summary>
    /// <param name="Id">The order id.</param>
    /// <param name="Region">Its region.</param>
    /// <param name="Amount">Its amount.</param>
    /// <param name="Ts">Its event time (ms since the Unix epoch).</param>
    internal sealed record BenchOrder(long Id, string Region, double Amount, long Ts);

    private static List<BenchCase> Run(int count, int runs, TimeSpan interval)
    {
        var orders = new BenchOrder[count];
        var rows = new Row[count];
        var span = TimeSpan.FromHours(4).TotalMilliseconds;
        for (var i = 0; i < count; i++)
        {
            var ts = Start + (long)(span * i / count);
            orders[i] = new BenchOrder(i, s_regions[i % s_regions.Length], i % 1000 / 10.0, ts);
            var at = DateTimeOffset.FromUnixTimeMilliseconds(ts).UtcDateTime;
            rows[i] = Row.Of(s_schema, (long)i, orders[i].Region, orders[i].Amount, ts, DateOnly.FromDateTime(at), (long)at.Hour);
        }
        var root = Directory.CreateTempSubdirectory("sluice-bench-delta-").FullName;
        try
        {
            double parquet = double.MaxValue, delta = double.MaxValue;
            for (var run = 0; run < runs; run++)
            {
                parquet = Math.Min(parquet, Time(root, $"parquet-{run}", interval, (env, dir) =>
                    env.FromCollection(orders).ToParquetLake(dir, "orders", static o => o.Ts).Uid("sink")));
                delta = Math.Min(delta, Time(root, $"delta-{run}", interval, (env, dir) =>
                    env.FromCollection(rows).ToDelta(Path.Combine(dir, "orders"), s_schema, new DeltaSinkOptions { PartitionBy = ["event_date", "hour"] }).Uid("sink")));
            }
            return [new BenchCase("parquet lake sink", count, parquet), new BenchCase("delta sink", count, delta)];
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static double Time(string root, string name, TimeSpan interval, Action<StreamEnvironment, string> build)
    {
        var dir = Path.Combine(root, name);
        var env = StreamEnvironment.Create(new JobOptions
        {
            JobName = "bench-" + name,
            Parallelism = 2,
            Checkpoints = CheckpointOptions.InDirectory(Path.Combine(dir, "checkpoints"), interval),
        });
        build(env, Path.Combine(dir, "lake"));
        var clock = Stopwatch.StartNew();
        env.ExecuteAsync().GetAwaiter().GetResult();
        var seconds = clock.Elapsed.TotalSeconds;
        Directory.Delete(dir, recursive: true);
        return seconds;
    }
}
