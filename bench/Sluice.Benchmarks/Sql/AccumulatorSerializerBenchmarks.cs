using BenchmarkDotNet.Attributes;
using Sluice.Schemas;
using Sluice.Sql.Runtime;

namespace Sluice.Benchmarks.Sql;

/// <summary>
/// What a SQL aggregation pays per record to keep its accumulator in keyed state as bytes: read the stored bytes into
/// the reused accumulator row, then write the row back over the same array (<see cref="AccumulatorSerializer"/>).
/// Two accumulators: a windowed count by a BIGINT key (Nexmark q12: key, row count, count, window start) and a group
/// by a VARCHAR key with COUNT(*), SUM and MIN of a DOUBLE. An invocation runs <see cref="RowsPerOperation"/>
/// accumulators, each counted as an operation, so the columns are per record.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("sql")]
public class AccumulatorSerializerBenchmarks
{
    /// <summary>Accumulators per benchmark operation.</summary>
    public const int RowsPerOperation = 4096;

    private AccumulatorSerializer _serializer = null!;
    private Row _accumulator = null!;
    private byte[][] _stored = null!;

    /// <summary>Which accumulator.</summary>
    [Params("window-count", "group-string")]
    public string Accumulator { get; set; } = "window-count";

    [GlobalSetup]
    public void Setup()
    {
        var schema = Accumulator == "window-count"
            ? Schema.Parse("key0 BIGINT, rows BIGINT NOT NULL, agg0_0 BIGINT NOT NULL, window_start BIGINT NOT NULL")
            : Schema.Parse("key0 VARCHAR, rows BIGINT NOT NULL, agg0_0 BIGINT NOT NULL, agg1_0 BIGINT, agg1_1 BIGINT NOT NULL, agg2_0 DOUBLE");
        _serializer = new AccumulatorSerializer(schema);
        _accumulator = new Row(schema);
        _stored = new byte[RowsPerOperation][];
        var random = new Random(42);
        for (var i = 0; i < _stored.Length; i++)
        {
            var row = new Row(schema);
            if (Accumulator == "window-count")
            {
                row.SetInt64(0, 1_000 + random.Next(100_000));
                row.SetInt64(1, random.Next(1, 60));
                row.SetInt64(2, random.Next(1, 60));
                row.SetInt64(3, 1_764_928_800_000 + (random.Next(100) * 10_000L));
            }
            else
            {
                row.SetString(0, "bidder-" + random.Next(100_000));
                row.SetInt64(1, random.Next(1, 60));
                row.SetInt64(2, random.Next(1, 60));
                row.SetInt64(3, random.Next(1, 1_000_000));
                row.SetInt64(4, random.Next(1, 60));
                row.SetDouble(5, random.NextDouble() * 1_000);
            }
            _stored[i] = _serializer.Serialize(row);
        }
    }

    /// <summary>Reads each stored accumulator, sets its counts (to the same values, so every run does the same work), and writes it back over its array.</summary>
    [Benchmark(OperationsPerInvoke = RowsPerOperation)]
    public int ReadUpdateWrite()
    {
        var accumulator = _accumulator;
        var changed = 0;
        foreach (var bytes in _stored)
        {
            _serializer.Deserialize(bytes, accumulator);
            var count = accumulator.GetInt64(2);
            accumulator.SetInt64(2, count);
            accumulator.SetInt64(1, accumulator.GetInt64(1));
            if (!ReferenceEquals(_serializer.Serialize(accumulator, bytes), bytes))
            {
                changed++;
            }
        }
        return changed;
    }
}
