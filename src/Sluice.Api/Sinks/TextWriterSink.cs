namespace Sluice.Sinks;

/// <summary>
/// Writes each record's <see cref="object.ToString"/> as a line to a <see cref="TextWriter"/> (the console by
/// default). Non-parallel, so lines keep the stream's order.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public sealed class TextWriterSink<T>(TextWriter? writer = null) : ISink<T>
{
    private readonly TextWriter _writer = writer ?? Console.Out;

    /// <inheritdoc />
    public int MaxParallelism => 1;

    /// <inheritdoc />
    public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer(_writer);

    private sealed class Writer(TextWriter writer) : ISinkWriter<T>
    {
        public void Write(T value, long timestamp) => writer.WriteLine(value?.ToString());

        public void Flush() => writer.Flush();

        public void Dispose() => writer.Flush();
    }
}
