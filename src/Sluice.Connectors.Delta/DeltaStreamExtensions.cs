using Sluice.Schemas;

namespace Sluice.Connectors.Delta;

/// <summary>Adds the Delta sink to a <see cref="DataStream{T}"/> of rows.</summary>
public static class DeltaStreamExtensions
{
    /// <summary>
    /// Appends the stream's rows, all of <paramref name="schema"/>, to the Delta table at <paramref name="path"/>
    /// (created when missing), exactly once with checkpoints; see <see cref="DeltaSink"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    public static DataStreamSink<Row> ToDelta(this DataStream<Row> stream, string path, Schema schema, DeltaSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var sink = new DeltaSink(path, schema, options);
        return stream.SinkTo(sink, $"Delta({System.IO.Path.GetFileName(sink.Path)})");
    }

    /// <summary>
    /// Applies the stream's changelog rows, all of <paramref name="schema"/>, to the Delta table at <paramref name="path"/>
    /// (created when missing) by the key <paramref name="keyColumns"/>: one MERGE per checkpoint, exactly once with
    /// checkpoints (the <c>txn</c> appId is the sink's uid: give it one with <c>Uid(...)</c>); see <see cref="DeltaUpsertSink"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The path is empty, or a key column is unknown or not scalar.</exception>
    public static DataStreamSink<Row> ToDeltaUpsert(this DataStream<Row> stream, string path, Schema schema, IReadOnlyList<string> keyColumns, DeltaSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var sink = new DeltaUpsertSink(path, schema, keyColumns, options);
        return stream.SinkTo(sink, $"DeltaUpsert({System.IO.Path.GetFileName(sink.Path)})");
    }
}
