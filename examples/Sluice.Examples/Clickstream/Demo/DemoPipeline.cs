using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using Sluice.Connectors.Delta;
using Sluice.Connectors.DuckDb;
using Sluice.Connectors.Log;
using Sluice.Log;
using Sluice.State;
using Sluice.Windowing;

namespace Sluice.Examples.Clickstream.Demo;

/// <summary>
/// The click-stream pipeline: topic <c>clicks</c> (embedded log or Kafka) → <b>bronze</b> (raw lines to the Parquet lake by date/hour) →
/// <b>silver</b> (parse with the schema; bad lines to <c>clicks.dlq</c> as dead letters: reason, kind, field, origin and the original bytes; dedup
/// by event_id; events older than the watermark minus the allowed lateness to <c>late_events</c>) → <b>gold</b> in
/// DuckDB: <c>page_minute</c>, <c>sessions</c>, <c>user_features</c>. Every sink is exactly-once under checkpoints.
/// </summary>
public static class DemoPipeline
{
    /// <summary>The DLQ topic.</summary>
    public const string DlqTopic = "clicks.dlq";

    /// <summary>Out-of-order bound of the watermark.</summary>
    public static readonly TimeSpan OutOfOrderness = TimeSpan.FromSeconds(5);

    /// <summary>How late (event time) an event may be and still count.</summary>
    public static readonly TimeSpan AllowedLateness = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Builds the job; <paramref name="stats"/> receives live counts for the console view. The input is the log's
    /// <see cref="DemoInput.Topic"/> topic, or the Kafka topic of that name when <paramref name="kafka"/> is given —
    /// the only difference between the two: parse, DLQ (an embedded-log topic either way), dedup, late gate and the
    /// lake and warehouse sinks are the same.
    /// </summary>
    /// <remarks>The bronze layer is the Parquet lake sink's folder, or a Delta table with the same columns
    /// (<c>partition, offset, ts, raw, event_date, hour</c>) when <paramref name="lakeFormat"/> is <see cref="DemoLakeFormat.Delta"/>;
    /// then silver is also a Delta table (<c>lake/silver_clicks</c>, appended) and the gold tables are Delta tables
    /// in the lake (<c>lake/page_minute</c>, <c>lake/sessions</c>, <c>lake/user_features</c>, upserted through
    /// <see cref="DeltaUpsertSink"/>) instead of DuckDB tables; <c>late_events</c> stays in DuckDB.</remarks>
    public static void Build(StreamEnvironment env, PartitionedLog log, DemoPaths paths, DemoStats stats, double? rate, DemoKafkaOptions? kafka = null, DemoLakeFormat lakeFormat = DemoLakeFormat.Parquet)
    {
        if (!log.TryGetTopic(DlqTopic, out _))
        {
            log.CreateTopic(DlqTopic, new TopicConfig { Partitions = 1 });
        }
        var watermarks = WatermarkStrategy<DemoLine>.ForBoundedOutOfOrderness(OutOfOrderness);
        var raw = (kafka is null
            ? env.FromLog(log, DemoInput.Topic, new DemoLine.Deserializer("log"), new LogSourceOptions { Bounded = true }, watermarks)
            : DemoKafkaInput.Read(env, kafka, watermarks)).Uid("clicks-source");
        if (rate is > 0)
        {
            var pacer = new RecordPacer(rate.Value);
            raw = raw.Map(r => { pacer.Wait(); return r; }, "Throttle").Uid("throttle");
        }
        raw = raw.Map(r => { stats.RecordIngested(); return r; }, "Ingest").Uid("ingest");

        // Bronze: every line, as it arrived.
        var bronze = raw.Map(static r => new BronzeClick(r.Partition, r.Offset, r.TimestampMs, r.Value), "Bronze").Uid("bronze");
        if (lakeFormat == DemoLakeFormat.Delta)
        {
            bronze.Map(static b => BronzeDelta.ToRow(b), "BronzeRow").Uid("bronze-row")
                .ToDelta(paths.BronzeTable, BronzeDelta.Schema, new DeltaSinkOptions { PartitionBy = ["event_date", "hour"] }).Uid("bronze-lake");
        }
        else
        {
            bronze.ToParquetLake(paths.Lake, "bronze_clicks", static b => b.Ts).Uid("bronze-lake");
        }

        // Silver: parse; bad lines to the DLQ as dead letters (the one envelope: reason, kind, field, origin position,
        // the original bytes), so `sluice dlq` can list, show and replay them.
        var parsed = raw.Process(new ParseClick(), "Parse").Uid("parse");
        parsed.GetSideOutput(DeadLetters.Tag)
            .Map(d => { stats.RecordDeadLettered(); return d; }, "CountDlq").Uid("count-dlq")
            .ToDeadLetterQueue(log, DemoInput.Topic, new LogSinkOptions { ExactlyOnce = true, TransactionalIdPrefix = "demo-dlq" }).Uid("dlq-sink");
        var duplicates = new OutputTag<ClickEvent>("duplicates");
        var unique = parsed.KeyBy(static c => c.EventId).Deduplicate(TimeSpan.FromHours(1), duplicates, "Dedup").Uid("dedup");
        unique.GetSideOutput(duplicates).ForEach(_ => stats.RecordDuplicate()).Uid("count-duplicates");
        var lateTag = new OutputTag<LateEvent>("late");
        var onTime = unique.Process(new LateGate(lateTag, (long)AllowedLateness.TotalMilliseconds, stats), "LateGate").Uid("late-gate");
        onTime.GetSideOutput(lateTag).ToDuckDb(paths.Warehouse, "late_events").Uid("late-sink");

        // Silver as a Delta table (with --lake-format delta): the on-time clicks, appended exactly once. Dedup already
        // made them unique, so an append (no MERGE) suffices.
        if (lakeFormat == DemoLakeFormat.Delta)
        {
            onTime.Map(static c => DemoDeltaTables.ToRow(c), "SilverRow").Uid("silver-row")
                .ToDelta(paths.LakeTable("silver_clicks"), DemoDeltaTables.SilverClicks, new DeltaSinkOptions { PartitionBy = ["event_date"] }).Uid("silver-lake");
        }

        // Gold: upserted by key into DuckDB tables, or (with --lake-format delta) into Delta tables of the same names
        // in the lake, one MERGE per checkpoint.
        var pageMinute = onTime.Filter(static c => c.Action == "view", "Views").Uid("views")
            .KeyBy(static c => c.Page)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMinutes(1)))
            .AllowedLateness(AllowedLateness)
            .Aggregate(new ViewsAndUsers(), static (page, w, r) => new PageMinute(page, Utc(w.Start), Utc(w.End), r.Views, r.Users), "PageMinute").Uid("page-minute")
            .Map(p => { stats.RecordPage(p); return p; }, "TopPages").Uid("top-pages");
        var sessions = onTime.KeyBy(static c => c.UserId)
            .Window(EventTimeSessionWindows.WithGap(TimeSpan.FromMinutes(15)))
            .AllowedLateness(AllowedLateness)
            .Aggregate(new ChainCount(), static (user, w, n) => new SessionRow(user, Utc(w.Start), Utc(w.End), n), "Sessions").Uid("sessions");
        var features = onTime.KeyBy(static c => c.UserId).Process(new Features(), "UserFeatures").Uid("user-features")
            .Map(f => { stats.RecordOutput(); return f; }, "CountOut").Uid("count-out");
        if (lakeFormat == DemoLakeFormat.Delta)
        {
            pageMinute.Map(static p => DemoDeltaTables.ToRow(p), "PageMinuteRow").Uid("page-minute-row")
                .ToDeltaUpsert(paths.LakeTable("page_minute"), DemoDeltaTables.PageMinute, DemoDeltaTables.PageMinuteKey).Uid("page-minute-sink");
            sessions.Map(static s => DemoDeltaTables.ToRow(s), "SessionsRow").Uid("sessions-row")
                .ToDeltaUpsert(paths.LakeTable("sessions"), DemoDeltaTables.Sessions, DemoDeltaTables.SessionsKey).Uid("sessions-sink");
            features.Map(static f => DemoDeltaTables.ToRow(f), "UserFeaturesRow").Uid("user-features-row")
                .ToDeltaUpsert(paths.LakeTable("user_features"), DemoDeltaTables.UserFeatures, DemoDeltaTables.UserFeaturesKey).Uid("features-sink");
            return;
        }
        pageMinute.ToDuckDb(paths.Warehouse, "page_minute", new DuckDbSinkOptions { Mode = WarehouseWriteMode.Upsert, PrimaryKey = ["page", "window_start"] }).Uid("page-minute-sink");
        sessions.ToDuckDb(paths.Warehouse, "sessions", new DuckDbSinkOptions { Mode = WarehouseWriteMode.Upsert, PrimaryKey = ["user_id", "session_start"] }).Uid("sessions-sink");
        features.ToDuckDb(paths.Warehouse, "user_features", new DuckDbSinkOptions { Mode = WarehouseWriteMode.Upsert, PrimaryKey = ["user_id"] }).Uid("features-sink");
    }

    private static DateTime Utc(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;

    /// <summary>
    /// Parses a line into a click; anything else becomes a dead letter naming the position, the reason and the field:
    /// kind <c>parse</c> for malformed JSON, <c>schema</c> for a missing field.
    /// </summary>
    private sealed class ParseClick : ProcessFunction<DemoLine, ClickEvent>
    {
        public override void ProcessElement(DemoLine value, ProcessContext context, ICollector<ClickEvent> output)
        {
            string? reason;
            string? field = null;
            var kind = DeadLetterKind.Schema;
            try
            {
                var click = JsonSerializer.Deserialize<ClickEvent>(value.Value, DemoJson.Options);
                (reason, field) = click switch
                {
                    null => ("the line is JSON null", null),
                    { EventId: null or "" } => ("field 'event_id' is missing", "event_id"),
                    { UserId: null or "" } => ("field 'user_id' is missing", "user_id"),
                    { Ts: <= 0 } => ("field 'ts' is missing or not a positive Unix ms timestamp", "ts"),
                    _ => ((string?)null, (string?)null),
                };
                if (reason is null)
                {
                    output.Collect(click!);
                    return;
                }
            }
            catch (JsonException e)
            {
                kind = DeadLetterKind.Parse;
                field = e.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : null;
                reason = field is not null ? $"field '{field}': {e.Message}" : $"malformed JSON: {e.Message}";
            }
            context.Output(DeadLetters.Tag, new DeadLetter(value.Source, $"{value.Topic}/{value.Partition}/{value.Offset}", reason, DeadLetters.Truncate(value.Value), field)
            {
                Kind = kind,
                Operator = "parse",
                Origin = new RecordOrigin(value.Topic, value.Partition, value.Offset),
                IngestTime = value.TimestampMs,
                Original = Encoding.UTF8.GetBytes(value.Value),
            });
        }
    }

    /// <summary>Sends events older than the watermark minus the allowed lateness to the late output (counted once here).</summary>
    private sealed class LateGate(OutputTag<LateEvent> late, long allowedLatenessMs, DemoStats stats) : ProcessFunction<ClickEvent, ClickEvent>
    {
        public override void ProcessElement(ClickEvent value, ProcessContext context, ICollector<ClickEvent> output)
        {
            var watermark = context.TimerService.CurrentWatermark;
            stats.RecordWatermark(watermark);
            if (watermark != EventTime.MinWatermark && value.Ts <= watermark - allowedLatenessMs)
            {
                stats.RecordLate();
                context.Output(late, new LateEvent(value.EventId, value.UserId, value.Page, Utc(value.Ts), Utc(watermark)));
                return;
            }
            output.Collect(value);
        }
    }

    /// <summary>Views and distinct users of a window.</summary>
    public sealed class ViewsAndUsers : IAggregateFunction<ClickEvent, (long Views, HashSet<string> Users), (long Views, long Users)>
    {
        /// <inheritdoc />
        public (long Views, HashSet<string> Users) CreateAccumulator() => (0, []);

        /// <inheritdoc />
        public (long Views, HashSet<string> Users) Add((long Views, HashSet<string> Users) accumulator, ClickEvent value)
        {
            accumulator.Users.Add(value.UserId);
            return (accumulator.Views + 1, accumulator.Users);
        }

        /// <inheritdoc />
        public (long Views, long Users) GetResult((long Views, HashSet<string> Users) accumulator) => (accumulator.Views, accumulator.Users.Count);

        /// <inheritdoc />
        public (long Views, HashSet<string> Users) Merge((long Views, HashSet<string> Users) a, (long Views, HashSet<string> Users) b)
        {
            a.Users.UnionWith(b.Users);
            return (a.Views + b.Views, a.Users);
        }
    }

    private sealed class ChainCount : IAggregateFunction<ClickEvent, long, long>
    {
        public long CreateAccumulator() => 0;

        public long Add(long accumulator, ClickEvent value) => accumulator + 1;

        public long GetResult(long accumulator) => accumulator;

        public long Merge(long a, long b) => a + b;
    }

    /// <summary>
    /// Per user: spend and events in the 10 minutes up to the latest event seen, and when that was — updated on every
    /// event and upserted, so the table holds each user's latest features.
    /// </summary>
    private sealed class Features : KeyedProcessFunction<string, ClickEvent, UserFeatures>
    {
        private const long Window = 10 * 60_000;
        private IListState<(long Ts, double Amount)> _recent = null!;
        private IValueState<long> _lastSeen = null!;

        public override void Open(IRuntimeContext context)
        {
            _recent = context.State.GetListState(new ListStateDescriptor<(long, double)>("recent"));
            _lastSeen = context.State.GetState(new ValueStateDescriptor<long>("last-seen"));
        }

        public override void ProcessElement(ClickEvent value, KeyedProcessContext<string> context, ICollector<UserFeatures> output)
        {
            var last = Math.Max(_lastSeen.Value, value.Ts);
            _lastSeen.Update(last);
            var keep = new List<(long, double)>();
            double spend = 0;
            foreach (var e in _recent.Get().Append((value.Ts, value.Action == "purchase" ? value.Amount : 0)))
            {
                if (e.Item1 > last - Window)
                {
                    keep.Add(e);
                    spend += e.Item2;
                }
            }
            _recent.Update(keep);
            output.Collect(new UserFeatures(value.UserId, Math.Round(spend, 2), keep.Count, Utc(last)));
        }
    }
}

/// <summary>Where the demo keeps its data.</summary>
/// <param name="Root">The data directory.</param>
public sealed record DemoPaths(string Root)
{
    /// <summary>The embedded log.</summary>
    public string Log => Path.Combine(Root, "log");

    /// <summary>The Parquet lake.</summary>
    public string Lake => Path.Combine(Root, "lake");

    /// <summary>The bronze layer's folder in the lake (Parquet files or a Delta table).</summary>
    public string BronzeTable => Path.Combine(Lake, "bronze_clicks");

    /// <summary>The folder of lake table <paramref name="name"/> (<c>sluice query</c> sees it as a view of that name).</summary>
    public string LakeTable(string name) => Path.Combine(Lake, name);

    /// <summary>The DuckDB warehouse file.</summary>
    public string Warehouse => Path.Combine(Root, "warehouse.duckdb");

    /// <summary>Checkpoints.</summary>
    public string Checkpoints => Path.Combine(Root, "checkpoints");
}
