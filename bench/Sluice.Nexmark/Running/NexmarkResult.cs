using System.Globalization;
using System.Text;
using System.Text.Json;
using Sluice.Nexmark.Queries;

namespace Sluice.Nexmark.Running;

/// <summary>The measurement of one query on one engine.</summary>
public sealed record NexmarkResult
{
    /// <summary>The query.</summary>
    public required NexmarkQuery Query { get; init; }

    /// <summary>The engine.</summary>
    public required NexmarkEngine Engine { get; init; }

    /// <summary>Input events (persons, auctions and bids together, as Nexmark counts throughput).</summary>
    public required long Events { get; init; }

    /// <summary>Sluice parallelism / DuckDB threads of the run (hand-written and Rx always use one thread).</summary>
    public required int Parallelism { get; init; }

    /// <summary>Wall-clock seconds of the run.</summary>
    public required double Seconds { get; init; }

    /// <summary>CPU seconds the process used during the run (all threads, GC included).</summary>
    public required double CpuSeconds { get; init; }

    /// <summary>Bytes allocated on the managed heap during the run (native DuckDB memory not included).</summary>
    public required long AllocBytes { get; init; }

    /// <summary>Garbage collections during the run, by generation (a gen2 collection counts in gen1 and gen0 too, as <see cref="GC.CollectionCount"/> does).</summary>
    public required GcCollections Collections { get; init; }

    /// <summary>Seconds the runtime paused the process's threads for garbage collection during the run (a background gen2's concurrent marking is not a pause: its CPU shows in <see cref="CpuSeconds"/> only).</summary>
    public required double GcPauseSeconds { get; init; }

    /// <summary>Largest working set sampled during the run, MiB.</summary>
    public required double PeakMb { get; init; }

    /// <summary>Result rows.</summary>
    public required long Results { get; init; }

    /// <summary>Order-independent checksum of the rows (hex); equal across engines that agree.</summary>
    public required ulong Checksum { get; init; }

    /// <summary>Untimed preparation (DuckDB: loading the tables), seconds.</summary>
    public double PrepareSeconds { get; init; }

    /// <summary>The state backend of a Sluice DataStream or SQL run (<c>heap</c> or <c>rocksdb</c>); null for the other engines.</summary>
    public string? StateBackend { get; init; }

    /// <summary>Events per wall-clock second.</summary>
    public double EventsPerSecond => Seconds > 0 ? Events / Seconds : 0;

    /// <summary>Events per CPU second: the per-core throughput Nexmark reports.</summary>
    public double EventsPerCoreSecond => CpuSeconds > 0 ? Events / CpuSeconds : 0;

    /// <summary>
    /// The process's garbage collector: <c>server</c> or <c>workstation</c>, with <c>-nonconcurrent</c> when background
    /// collections are off (<c>DOTNET_gcConcurrent=0</c>). Fixed for the process, so the same for all its runs.
    /// </summary>
    public static string GcMode =>
        (System.Runtime.GCSettings.IsServerGC ? "server" : "workstation") +
        (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.Batch ? "-nonconcurrent" : "");

    /// <summary>The checksum as 16 hex digits.</summary>
    public string ChecksumHex => Checksum.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>One JSON object (the fields of <c>sluice bench nexmark --json</c>).</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("query", Query.Name());
            w.WriteString("engine", Engine.ToString().ToLowerInvariant());
            w.WriteNumber("events", Events);
            w.WriteNumber("parallelism", Parallelism);
            w.WriteNumber("seconds", Math.Round(Seconds, 4));
            w.WriteNumber("cpu_seconds", Math.Round(CpuSeconds, 4));
            w.WriteNumber("events_per_sec", Math.Round(EventsPerSecond));
            w.WriteNumber("events_per_core_sec", Math.Round(EventsPerCoreSecond));
            w.WriteNumber("alloc_bytes", AllocBytes);
            w.WriteNumber("gc_gen0", Collections.Gen0);
            w.WriteNumber("gc_gen1", Collections.Gen1);
            w.WriteNumber("gc_gen2", Collections.Gen2);
            w.WriteNumber("gc_pause_seconds", Math.Round(GcPauseSeconds, 4));
            w.WriteString("gc_mode", GcMode);
            w.WriteNumber("peak_mb", Math.Round(PeakMb, 1));
            w.WriteNumber("results", Results);
            w.WriteString("checksum", ChecksumHex);
            w.WriteNumber("prepare_seconds", Math.Round(PrepareSeconds, 4));
            if (StateBackend is not null)
            {
                w.WriteString("state_backend", StateBackend);
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}

/// <summary>Garbage collections of one run by generation, counted as <see cref="GC.CollectionCount"/> counts them.</summary>
public readonly record struct GcCollections(int Gen0, int Gen1, int Gen2);
