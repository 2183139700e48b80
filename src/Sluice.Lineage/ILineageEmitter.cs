namespace Sluice.Lineage;

/// <summary>
/// Sends OpenLineage <see cref="RunEvent"/>s somewhere: a JSON-lines file (<see cref="FileLineageEmitter"/>), an HTTP
/// endpoint (<see cref="HttpLineageEmitter"/>), several (<see cref="CompositeLineageEmitter"/>) or nowhere
/// (<see cref="NoLineageEmitter"/>). Make one with <see cref="LineageEmitters"/>.
/// </summary>
/// <remarks>
/// Contract for every implementation: <see cref="Emit"/> is thread-safe, returns quickly (at most a local file append;
/// a network send is queued), and never throws because the destination failed — lineage must never fail or stall the
/// job that reports it; failures are logged and counted in the <c>sluice.lineage.events.failed</c> metric.
/// <see cref="IAsyncDisposable.DisposeAsync"/> delivers what is queued (bounded by the emitter's own timeout) and then stops; an event
/// emitted after disposal is dropped and counted.
/// </remarks>
public interface ILineageEmitter : IAsyncDisposable
{
    /// <summary>Sends (or queues) one event. Never throws for a delivery failure; throws <see cref="ArgumentNullException"/> for a null event.</summary>
    void Emit(RunEvent runEvent);
}

/// <summary>Drops every event: the emitter when lineage is off (the default).</summary>
public sealed class NoLineageEmitter : ILineageEmitter
{
    /// <summary>The one instance.</summary>
    public static NoLineageEmitter Instance { get; } = new();

    private NoLineageEmitter()
    {
    }

    /// <inheritdoc />
    public void Emit(RunEvent runEvent) => ArgumentNullException.ThrowIfNull(runEvent);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Sends each event to every one of its emitters, in order; disposing it disposes them.</summary>
/// <param name="emitters">The emitters; owned by the composite from now on.</param>
public sealed class CompositeLineageEmitter(IReadOnlyList<ILineageEmitter> emitters) : ILineageEmitter
{
    /// <summary>The emitters, in the order events reach them.</summary>
    public IReadOnlyList<ILineageEmitter> Emitters { get; } = emitters ?? throw new ArgumentNullException(nameof(emitters));

    /// <inheritdoc />
    public void Emit(RunEvent runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        foreach (var emitter in Emitters)
        {
            emitter.Emit(runEvent);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var emitter in Emitters)
        {
            await emitter.DisposeAsync().ConfigureAwait(false);
        }
    }
}
