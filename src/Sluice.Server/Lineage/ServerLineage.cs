using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sluice.Lineage;

namespace Sluice.Server.Lineage;

/// <summary>
/// The server's lineage: every job it runs reports its OpenLineage events here (<see cref="JobOptions.Lineage"/>).
/// Events are kept in memory (the last <see cref="Capacity"/>), appended to <c>{data}/lineage/events.jsonl</c> (read
/// back at start, so the graph survives a restart), and forwarded to <c>OPENLINEAGE_URL</c> when that is set.
/// <see cref="Graph"/> is what <c>GET /api/lineage</c> and the dashboard's lineage page show.
/// </summary>
/// <remarks>Thread-safe. Like every emitter, never throws for a storage or network failure (they are logged and counted).</remarks>
internal sealed class ServerLineage : ILineageEmitter
{
    /// <summary>Events kept in memory.</summary>
    public const int Capacity = 2000;

    private readonly Lock _lock = new();
    private readonly Queue<RunEvent> _events = new();
    private readonly FileLineageEmitter _file;
    private readonly ILineageEmitter _forward;

    public ServerLineage(ServerContext server)
    {
        Path = System.IO.Path.Combine(server.DataDirectory, "lineage", "events.jsonl");
        var logger = server.LoggerFactory.CreateLogger(LineageEmitters.LogCategory);
        if (File.Exists(Path))
        {
            foreach (var line in File.ReadLines(Path))
            {
                try
                {
                    Remember(LineageJson.Deserialize(line));
                }
                catch (JsonException e)
                {
                    // A line torn by a crash mid-write costs that event, not the server's start.
                    logger.LogWarning("Skipped an unreadable line of {Path}: {Reason}", Path, e.Message);
                }
            }
        }
        _file = new FileLineageEmitter(Path, server.LoggerFactory);
        _forward = LineageEmitters.FromEnvironment(server.LoggerFactory);
    }

    /// <summary>The JSON-lines file of the server's events.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public void Emit(RunEvent runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        Remember(runEvent);
        _file.Emit(runEvent);
        _forward.Emit(runEvent);
    }

    /// <summary>The events in memory, oldest first (a copy).</summary>
    public IReadOnlyList<RunEvent> Events()
    {
        lock (_lock)
        {
            return [.. _events];
        }
    }

    /// <summary>The lineage graph of the events in memory.</summary>
    public LineageGraph Graph() => LineageGraph.From(Events());

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync().ConfigureAwait(false);
        await _forward.DisposeAsync().ConfigureAwait(false);
    }

    private void Remember(RunEvent runEvent)
    {
        lock (_lock)
        {
            _events.Enqueue(runEvent);
            while (_events.Count > Capacity)
            {
                _events.Dequeue();
            }
        }
    }
}
