using System.Diagnostics;
using Sluice.Connectors;
using Sluice.Connectors.Filesystem;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Sources;

namespace Sluice.Benchmarks.Files;

/// <summary>Settings of <see cref="FilesystemFormatBenchmark"/>.</summary>
public sealed record FilesystemFormatBenchmarkOptions
{
    /// <summary>Rows written and read per run.</summary>
    public int Rows { get; init; } = 1_000_000;

    /// <summary>Runs per format; the report keeps the fastest (the machine is shared).</summary>
    public int Runs { get; init; } = 3;

    /// <summary>The formats, run alternately (json, csv, parquet).</summary>
    public IReadOnlyList<string> Formats { get; init; } = ["json", "parquet"];

    /// <summary>Scratch directory (default: system temp); deleted afterwards.</summary>
    public string? Directory { get; init; }
}

/// <summary>One format's result: the fastest write and read of the runs, and the committed bytes.</summary>
/// <param name="Format">The format.</param>
/// <param name="Rows">Rows per run.</param>
/// <param name="WriteSeconds">Fastest write (rows into the sink writer, pre-commit, commit).</param>
/// <param name="ReadSeconds">Fastest read (every row polled from the source).</param>
/// <param name="Bytes">Size of the committed files.</param>
public sealed record FilesystemFormatResult(string Format, int Rows, double WriteSeconds, double ReadSeconds, long Bytes)
{
    /// <summary>Rows written per second.</summary>
    public double WriteRowsPerSecond => Rows / WriteSeconds;

    /// <summary>Rows read per second.</summary>
    public double ReadRowsPerSecond => Rows / ReadSeconds;
}

/// <summary>
/// Write and read throughput of the 'filesystem' connector per format: one sink writer writes the rows into one part
/// file and commits it (as one subtask and one checkpoint), then the table source reads them back. The connector's
/// own classes from its factory, no job around them, so the numbers are the format's and the file I/O's. Formats
/// alternate within each run, and the fastest run is kept, because the machine is shared.
/// </summary>
public static class FilesystemFormatBenchmark
{
    private static readonly Schema s_schema = Schema.Parse(
        "id BIGINT NOT NULL, name STRING, price DECIMAL(10, 2), ts TIMESTAMP(3), flag BOOLEAN, score DOUBLE");

    private static readonly string[] s_names = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"];

    /// <summary>Runs the benchmark.</summary>
    public static IReadOnlyList<FilesystemFormatResult> Run(FilesystemFormatBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var root = Path.Combine(options.Directory ?? Path.GetTempPath(), "sluice-bench-files-" + Guid.NewGuid().ToString("N"));
        var best = new Dictionary<string, (double Write, double Read, long Bytes)>();
        try
        {
            for (var run = 0; run < options.Runs; run++)
            {
                foreach (var format in options.Formats)
                {
                    var dir = Path.Combine(root, format + "-" + run);
                    var write = Write(dir, format, options.Rows);
                    var bytes = PartFileSink<Row>.CommittedFiles(dir, FilesystemConnectorFactory.FileExtension(format)).Sum(f => new FileInfo(f).Length);
                    var read = Read(dir, format, options.Rows);
                    best[format] = best.TryGetValue(format, out var b) ? (Math.Min(b.Write, write), Math.Min(b.Read, read), bytes) : (write, read, bytes);
                    System.IO.Directory.Delete(dir, recursive: true);
                }
            }
        }
        finally
        {
            if (System.IO.Directory.Exists(root))
            {
                System.IO.Directory.Delete(root, recursive: true);
            }
        }
        return [.. options.Formats.Select(f => new FilesystemFormatResult(f, options.Rows, best[f].Write, best[f].Read, best[f].Bytes))];
    }

    private static ConnectorContext Context(string dir, string format, ConnectorCapabilities capability) =>
        new ConnectorRegistry().Register(new FilesystemConnectorFactory()).CreateContext("t", s_schema,
            new Dictionary<string, string> { ["connector"] = "filesystem", ["path"] = dir, ["format"] = format }, capability, out _);

    private static double Write(string dir, string format, int rows)
    {
        var sink = (ITwoPhaseSink<Row>)new FilesystemConnectorFactory().CreateSink(Context(dir, format, ConnectorCapabilities.Sink));
        var clock = Stopwatch.StartNew();
        sink.AbortPending(0);
        using (var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("bench", 0, 1, TimeProvider.System)))
        {
            var row = new Row(s_schema);
            var start = new DateTime(2026, 12, 5, 0, 0, 0, DateTimeKind.Unspecified);
            for (var i = 0; i < rows; i++)
            {
                row.SetInt64(0, i);
                row.SetString(1, s_names[i & 7]);
                row.SetDecimal(2, (i % 100_000) / 100m);
                row.SetTimestamp(3, start.AddTicks(i * TimeSpan.TicksPerMillisecond));
                row.SetBoolean(4, (i & 1) == 0);
                if (i % 10 == 0)
                {
                    row.SetNull(5);
                }
                else
                {
                    row.SetDouble(5, i * 0.5);
                }
                writer.Write(row, 0);
            }
            sink.Commit(1, 0, writer.PrepareCommit(1));
        }
        return clock.Elapsed.TotalSeconds;
    }

    private static double Read(string dir, string format, int rows)
    {
        var source = new FilesystemConnectorFactory().CreateSource(Context(dir, format, ConnectorCapabilities.Source));
        var output = new CountingOutput();
        var clock = Stopwatch.StartNew();
        using (var reader = source.CreateReader(new SourceReaderContext(0, 1, TimeProvider.System, static () => { }, 1024)))
        {
            while (reader.PollNext(output) != SourceStatus.Finished)
            {
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        if (output.Rows != rows || output.DeadLetters != 0)
        {
            throw new InvalidOperationException($"The {format} source read {output.Rows} rows and {output.DeadLetters} dead letters; {rows} rows were written.");
        }
        return seconds;
    }

    private sealed class CountingOutput : ISourceOutput<Row>
    {
        public long Rows { get; private set; }

        public long DeadLetters { get; private set; }

        public void Collect(int split, Row value, long timestamp = EventTime.NoTimestamp) => Rows++;

        public void CollectBatch(int split, ReadOnlySpan<Row> values, ReadOnlySpan<long> timestamps) => Rows += values.Length;

        public void EmitWatermark(int split, long watermark)
        {
        }

        public void MarkSplitFinished(int split)
        {
        }

        public void MarkSplitIdle(int split, bool idle)
        {
        }

        public void ReportDeadLetter(DeadLetter letter) => DeadLetters++;
    }
}
