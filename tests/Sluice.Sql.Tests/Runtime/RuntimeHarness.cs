using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Testing;

namespace Sluice.Sql.Tests.Runtime;

/// <summary>Drives a two-input operator under test: two pushed inputs, one collected output, snapshot and restore.</summary>
internal sealed class TwoInputHarness : IDisposable
{
    private readonly CollectSink<Row> _sink;

    public TwoInputHarness(Func<DataStream<Row>, DataStream<Row>, DataStream<Row>> build, int parallelism = 1)
    {
        Driver = new JobTestDriver(new JobOptions { Parallelism = parallelism });
        Left = Driver.CreateInput<Row>(name: "Left");
        Right = Driver.CreateInput<Row>(name: "Right");
        _sink = build(Left.Stream, Right.Stream).Uid("operator-under-test").Collect("Output");
    }

    public JobTestDriver Driver { get; }

    public TestInput<Row> Left { get; }

    public TestInput<Row> Right { get; }

    /// <summary>Everything emitted so far, in Flink's notation (<c>+I[1, a]</c>).</summary>
    public List<string> Output => [.. _sink.Items.Select(r => r.ToString())];

    public IReadOnlyList<(Row Value, long Timestamp)> Timestamped => _sink.TimestampedItems;

    public TwoInputHarness PushLeft(Row row, long timestamp = 0)
    {
        Left.Push(row, timestamp);
        Driver.RunUntilIdle();
        return this;
    }

    public TwoInputHarness PushRight(Row row, long timestamp = 0)
    {
        Right.Push(row, timestamp);
        Driver.RunUntilIdle();
        return this;
    }

    public TwoInputHarness Watermark(long watermark)
    {
        Left.PushWatermark(watermark);
        Right.PushWatermark(watermark);
        Driver.RunUntilIdle();
        return this;
    }

    public void Dispose() => Driver.Dispose();
}

/// <summary>Row builders and a changelog materializer for the runtime tests.</summary>
internal static class Rows
{
    public static Row Insert(Schema schema, params object?[] values) => Row.Of(schema, values);

    public static Row Delete(Schema schema, params object?[] values) => WithKind(Row.Of(schema, values), RowKind.Delete);

    public static Row Before(Schema schema, params object?[] values) => WithKind(Row.Of(schema, values), RowKind.UpdateBefore);

    public static Row After(Schema schema, params object?[] values) => WithKind(Row.Of(schema, values), RowKind.UpdateAfter);

    public static Row WithKind(Row row, RowKind kind)
    {
        row.Kind = kind;
        return row;
    }

    /// <summary>The row's fields without its kind: <c>[1, a]</c>.</summary>
    public static string Content(Row row) => row.ToString()[2..];

    /// <summary>
    /// Applies a retracting changelog to a multiset of rows (by content) and returns it sorted; fails when a retraction
    /// removes a row that is not there.
    /// </summary>
    public static List<string> Materialize(IEnumerable<Row> changelog)
    {
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in changelog)
        {
            var content = Content(row);
            if (row.Kind is RowKind.Insert or RowKind.UpdateAfter)
            {
                rows[content] = rows.GetValueOrDefault(content) + 1;
                continue;
            }
            var count = rows.GetValueOrDefault(content);
            if (count == 0)
            {
                throw new InvalidOperationException($"{row} retracts a row the output does not hold.");
            }
            if (count == 1)
            {
                rows.Remove(content);
            }
            else
            {
                rows[content] = count - 1;
            }
        }
        return [.. rows.SelectMany(e => Enumerable.Repeat(e.Key, e.Value)).Order(StringComparer.Ordinal)];
    }
}

/// <summary>
/// Passes rows through and records, in order, each row's timestamp and each watermark it receives, so a test can check
/// that no row arrives at or behind a watermark already received.
/// </summary>
internal sealed class WatermarkRecorder(List<(bool IsWatermark, long Time)> events) : Operators.OneInputStreamOperator<Row, Row>
{
    public override void ProcessElement(Row value, long timestamp)
    {
        events.Add((false, timestamp));
        Output.Collect(value, timestamp);
    }

    public override void ProcessWatermark(long watermark)
    {
        events.Add((true, watermark));
        Output.EmitWatermark(watermark);
    }

    /// <summary>The rows whose timestamp is not after the last watermark received before them.</summary>
    public static List<long> LateRows(List<(bool IsWatermark, long Time)> events)
    {
        var late = new List<long>();
        var watermark = long.MinValue;
        foreach (var (isWatermark, time) in events)
        {
            if (isWatermark)
            {
                watermark = Math.Max(watermark, time);
            }
            else if (time <= watermark)
            {
                late.Add(time);
            }
        }
        return late;
    }
}
