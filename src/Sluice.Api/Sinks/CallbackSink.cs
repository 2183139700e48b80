namespace Sluice.Sinks;

/// <summary>
/// Calls a function for every record. With parallelism above 1 the function is called concurrently from several
/// subtask threads: it must be thread-safe.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public sealed class CallbackSink<T>(Action<T> callback) : ISink<T>
{
    private readonly Action<T> _callback = callback ?? throw new ArgumentNullException(nameof(callback));

    /// <inheritdoc />
    public int MaxParallelism => 0;

    /// <inheritdoc />
    public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer(_callback);

    private sealed class Writer(Action<T> callback) : ISinkWriter<T>
    {
        public void Write(T value, long timestamp) => callback(value);

        public void Flush() { }

        public void Dispose() { }
    }
}
