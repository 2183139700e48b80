using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Lineage;

namespace Sluice.Server.Lineage;

/// <summary>
/// The server's lineage: every job it runs reports its OpenLineage events here (<see cref="JobOptions.Lineage"/>).
/// The last <see cref="Capacity"/> events and, per job, its last event and its latest event that named datasets are
/// kept in memory and appended to <c>{data}/lineage/events.jsonl</c> (read back at start, so the graph survives a
/// restart), and forwarded to <c>OPENLINEAGE_URL</c> when that is set. <see cref="Graph"/> is what
/// <c>GET /api/lineage</c> and the dashboard's lineage page show: every job ever seen, however long ago it started.
/// </summary>
/// <remarks>
/// <para>Thread-safe. Like every emitter, never throws for a storage or network failure (they are logged and counted),
/// and nothing about lineage stops the server from starting: an unreadable file or a bad <c>OPENLINEAGE_URL</c> is a
/// warning.</para>
/// <para>The file stays bounded: at start, and whenever it has grown by <see cref="Capacity"/> lines, it is rewritten
/// (temporary file, fsync, rename) to what is in memory. A last line torn by a crash is cut off at start.</para>
/// </remarks>
internal sealed class ServerLineage : ILineageEmitter
{
    /// <summary>Recent events kept in memory (each job's last events are kept besides, whatever their age).</summary>
    public const int Capacity = 2000;

    private readonly Lock _lock = new();
    private readonly Queue<(long Sequence, RunEvent Event)> _events = new();
    private readonly Dictionary<string, JobRecord> _jobs = new(StringComparer.Ordinal);
    private readonly FileLineageEmitter _file;
    private readonly ILineageEmitter _forward;
    private readonly ILogger _logger;
    private long _sequence; // of the last remembered event; also the version of the graph
    private long _graphVersion = -1;
    private LineageGraph _graph = new([], []);
    private int _linesInFile;

    public ServerLineage(ServerContext server)
        : this(System.IO.Path.Combine(server.DataDirectory, "lineage", "events.jsonl"), server.LoggerFactory,
            ForwardFromEnvironment(server.LoggerFactory, Environment.GetEnvironmentVariable))
    {
    }

    /// <summary>A lineage kept in <paramref name="path"/>, forwarding to <paramref name="forward"/> (owned: disposed with this).</summary>
    internal ServerLineage(string path, ILoggerFactory? loggerFactory, ILineageEmitter forward)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        Path = System.IO.Path.GetFullPath(path);
        _logger = loggerFactory.CreateLogger(LineageEmitters.LogCategory);
        _forward = forward;
        _file = new FileLineageEmitter(Path, loggerFactory);
        try
        {
            Load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Could not read the lineage events of {Path} ({Reason}); the lineage graph starts empty.", Path, e.Message);
        }
    }

    /// <summary>The JSON-lines file of the server's events.</summary>
    public string Path { get; }

    /// <summary>
    /// The emitter of <c>OPENLINEAGE_URL</c>, or <see cref="NoLineageEmitter"/> with a warning when it is not a usable URL:
    /// forwarding is optional, the server starts without it.
    /// </summary>
    internal static ILineageEmitter ForwardFromEnvironment(ILoggerFactory loggerFactory, Func<string, string?> environment)
    {
        try
        {
            return LineageEmitters.FromEnvironment(loggerFactory, environment);
        }
        catch (ArgumentException e)
        {
            loggerFactory.CreateLogger(LineageEmitters.LogCategory).LogWarning("Lineage events are not forwarded: {Reason}", e.Message);
            return NoLineageEmitter.Instance;
        }
    }

    /// <inheritdoc />
    public void Emit(RunEvent runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        lock (_lock)
        {
            // Under the lock: the compaction below rewrites the file, no append may slip between.
            Remember(runEvent);
            _file.Emit(runEvent);
            if (++_linesInFile >= 2 * Capacity + 2 * _jobs.Count)
            {
                TryCompact();
            }
        }
        _forward.Emit(runEvent);
    }

    /// <summary>The recent events in memory, oldest first (a copy).</summary>
    public IReadOnlyList<RunEvent> Events()
    {
        lock (_lock)
        {
            return [.. _events.Select(e => e.Event)];
        }
    }

    /// <summary>The lineage graph of every job seen (rebuilt only when an event arrived since the last call).</summary>
    public LineageGraph Graph()
    {
        lock (_lock)
        {
            if (_graphVersion != _sequence)
            {
                _graph = LineageGraph.From([.. JobEvents().Select(e => e.Event)]);
                _graphVersion = _sequence;
            }
            return _graph;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync().ConfigureAwait(false);
        await _forward.DisposeAsync().ConfigureAwait(false);
    }

    private void Load()
    {
        if (!File.Exists(Path))
        {
            return;
        }
        CutTornTail();
        var lines = 0;
        foreach (var line in File.ReadLines(Path))
        {
            lines++;
            try
            {
                Remember(LineageJson.Deserialize(line));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // An unreadable line costs that event, not the server's start.
                _logger.LogWarning("Skipped unreadable line {Line} of {Path}: {Reason}", lines, Path, e.Message);
            }
        }
        _linesInFile = lines;
        if (lines > RetainedEvents().Count)
        {
            TryCompact();
        }
    }

    /// <summary>Cuts the file back to its last line break: a line torn by a crash mid-write would swallow the next event.</summary>
    private void CutTornTail()
    {
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        var length = stream.Length;
        var buffer = new byte[4096];
        var end = length;
        while (end > 0)
        {
            var start = Math.Max(0, end - buffer.Length);
            stream.Position = start;
            stream.ReadExactly(buffer, 0, (int)(end - start));
            var newline = Array.LastIndexOf(buffer, (byte)'\n', (int)(end - start) - 1, (int)(end - start));
            if (newline >= 0)
            {
                end = start + newline + 1;
                break;
            }
            end = start;
        }
        if (end < length)
        {
            _logger.LogWarning("Cut a torn last line ({Bytes} bytes) off {Path}.", length - end, Path);
            stream.SetLength(end);
        }
    }

    /// <summary>Rewrites the file to the events in memory (temporary file, fsync, rename); a failure is a warning.</summary>
    private void TryCompact()
    {
        var retained = RetainedEvents();
        var temporary = Path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                foreach (var (_, runEvent) in retained)
                {
                    stream.Write(Encoding.UTF8.GetBytes(LineageJson.Serialize(runEvent) + "\n"));
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, Path, overwrite: true);
            _linesInFile = retained.Count;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Could not compact {Path} ({Reason}); it keeps growing until the next try.", Path, e.Message);
            _linesInFile = 0; // try again after another Capacity-sized growth, not on every event
        }
    }

    /// <summary>The recent events and every job's record, each once, in arrival order.</summary>
    private List<(long Sequence, RunEvent Event)> RetainedEvents()
    {
        var all = JobEvents();
        all.AddRange(_events);
        return [.. all.DistinctBy(e => e.Sequence).OrderBy(e => e.Sequence)];
    }

    /// <summary>Every job's latest event that named datasets and its last event, in arrival order.</summary>
    private List<(long Sequence, RunEvent Event)> JobEvents()
    {
        var events = new List<(long Sequence, RunEvent Event)>(2 * _jobs.Count);
        foreach (var job in _jobs.Values)
        {
            if (job.WithDatasets is { } withDatasets && withDatasets.Sequence != job.Last.Sequence)
            {
                events.Add(withDatasets);
            }
            events.Add(job.Last);
        }
        events.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return events;
    }

    private void Remember(RunEvent runEvent)
    {
        lock (_lock)
        {
            var entry = (++_sequence, runEvent);
            _events.Enqueue(entry);
            while (_events.Count > Capacity)
            {
                _events.Dequeue();
            }
            var key = runEvent.Job.Namespace + "/" + runEvent.Job.Name;
            var withDatasets = runEvent.Inputs.Count + runEvent.Outputs.Count > 0 ? entry : _jobs.GetValueOrDefault(key)?.WithDatasets;
            _jobs[key] = new JobRecord(entry, withDatasets);
        }
    }

    /// <summary>What the graph needs of one job: its last event, and its latest event that named datasets.</summary>
    private sealed record JobRecord((long Sequence, RunEvent Event) Last, (long Sequence, RunEvent Event)? WithDatasets);
}
