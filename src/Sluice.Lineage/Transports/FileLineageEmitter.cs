using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sluice.Lineage;

/// <summary>
/// Appends each event as one line of JSON to a file (JSON lines, UTF-8), flushed to the operating system before
/// <see cref="Emit"/> returns, so a reader sees whole events in emission order.
/// </summary>
/// <remarks>
/// Thread-safe, and safe for several emitters on the same path in one process: they share one lock per full path, and
/// each line is appended by one write of the whole line, so lines never interleave. Different processes appending
/// to one file are not coordinated: give each its own file (or use the HTTP transport). The file and its folder are
/// created when missing. A write failure (disk full, permissions) is logged and counted, never thrown; a write that fails part-way is cut
/// back, so the file holds whole lines only.
/// </remarks>
public sealed class FileLineageEmitter : ILineageEmitter
{
    private static readonly ConcurrentDictionary<string, Lock> s_pathLocks = new(StringComparer.Ordinal);
    private readonly Lock _lock;
    private readonly ILogger _logger;
    private volatile bool _disposed;

    /// <summary>An emitter appending to <paramref name="path"/> (made absolute against the current directory).</summary>
    public FileLineageEmitter(string path, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _lock = s_pathLocks.GetOrAdd(Path, static _ => new Lock());
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(LineageEmitters.LogCategory);
    }

    /// <summary>The absolute path of the JSON-lines file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public void Emit(RunEvent runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        if (_disposed)
        {
            LineageMetrics.Failed.Add(1, LineageMetrics.Transport("file"));
            return;
        }
        try
        {
            // Serialized inside the try: an event that cannot be written (a facet that fails) is dropped, never thrown.
            var line = Encoding.UTF8.GetBytes(LineageJson.Serialize(runEvent) + "\n");
            lock (_lock)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
                // Opened per event (events are per run, not per record): another emitter of the path appends after
                // this line, and nothing stays open when the emitter is forgotten without disposal.
                using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
                AppendLine(stream, line);
            }
            LineageMetrics.Delivered.Add(1, LineageMetrics.Transport("file"));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LineageMetrics.Failed.Add(1, LineageMetrics.Transport("file"));
            _logger.LogWarning(e, "Could not append the {EventType} lineage event of job {JobName} (run {RunId}) to {Path}: {Reason}",
                runEvent.EventType, runEvent.Job.Name, runEvent.Run.RunId, Path, e.Message);
        }
    }

    /// <summary>
    /// Appends <paramref name="line"/> to <paramref name="stream"/>; when the write fails part-way (disk full), cuts the
    /// file back to where it was, so a torn line never glues itself to the next event.
    /// </summary>
    internal static void AppendLine(Stream stream, ReadOnlySpan<byte> line)
    {
        var start = stream.Position;
        try
        {
            stream.Write(line);
            stream.Flush();
        }
        catch (IOException)
        {
            try
            {
                stream.SetLength(start);
            }
            catch (IOException)
            {
                // The cut failed too: the reader's start-up repair (cut back to the last line break) covers it.
            }
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        return ValueTask.CompletedTask;
    }
}
