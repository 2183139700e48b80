using Sluice.Operators;
using Sluice.Schemas;

namespace Sluice.Sql.Tests.Session;

/// <summary>Records what reaches it, in order: "+I 1 ts=…" for each row (its kind and first field) and "wm …" for each watermark.</summary>
internal sealed class EventRecorder(List<string> events) : OneInputStreamOperator<Row, Row>
{
    public override void ProcessElement(Row value, long timestamp)
    {
        events.Add($"{value.Kind switch { RowKind.Insert => "+I", RowKind.UpdateBefore => "-U", RowKind.UpdateAfter => "+U", _ => "-D" }} {value.GetValue(0)} ts={(timestamp == EventTime.NoTimestamp ? "none" : timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
        Output.Collect(value, timestamp);
    }

    public override void ProcessWatermark(long watermark)
    {
        events.Add(watermark == EventTime.MaxWatermark ? "wm max" : $"wm {watermark}");
        base.ProcessWatermark(watermark);
    }
}
