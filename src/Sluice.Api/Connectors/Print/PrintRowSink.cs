using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Print;

/// <summary>
/// Writes rows as lines to a shared <see cref="TextWriter"/>; parallel writers take a lock per line, so lines never
/// interleave (their order across subtasks is not defined). Flushes at the end of input.
/// </summary>
internal sealed class PrintRowSink(string? identifier, TextWriter? writer, bool toStandardError) : ISink<Row>
{
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public int MaxParallelism => 0;

    /// <inheritdoc />
    public ISinkWriter<Row> CreateWriter(SinkContext context)
    {
        var target = writer ?? (toStandardError ? Console.Error : Console.Out);
        var parallel = context.Parallelism > 1;
        var prefix = (string.IsNullOrEmpty(identifier), parallel) switch
        {
            (false, true) => $"{identifier}:{context.SubtaskIndex + 1}> ",
            (false, false) => $"{identifier}> ",
            (true, true) => $"{context.SubtaskIndex + 1}> ",
            _ => "",
        };
        return new Writer(target, prefix, _lock);
    }

    private sealed class Writer(TextWriter target, string prefix, Lock sinkLock) : ISinkWriter<Row>
    {
        public void Write(Row value, long timestamp)
        {
            var line = value.ToString();
            lock (sinkLock)
            {
                target.Write(prefix);
                target.WriteLine(line);
            }
        }

        public void Flush()
        {
            lock (sinkLock)
            {
                target.Flush();
            }
        }

        public void Dispose() => Flush();
    }
}
