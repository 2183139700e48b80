namespace Sluice.SchemaRegistry.Server;

/// <summary>
/// The schema registry running standalone on its own port (<c>sluice registry</c>), speaking Confluent Schema
/// Registry's REST API at the root. Disposing stops it and closes the data directory.
/// </summary>
public sealed class SchemaRegistryServer : IAsyncDisposable
{
    private SchemaRegistryServer(Uri baseAddress) => BaseAddress = baseAddress;

    /// <summary>The address clients use, such as <c>http://127.0.0.1:8082/</c> (the real port when 0 was asked).</summary>
    public Uri BaseAddress { get; }

    /// <summary>Opens the data directory, loads <c>_schemas</c> and starts listening.</summary>
    /// <exception cref="NotImplementedException">Being written (issue 16).</exception>
    public static Task<SchemaRegistryServer> StartAsync(SchemaRegistryServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        throw new NotImplementedException("The registry server is being written (issue 16).");
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
