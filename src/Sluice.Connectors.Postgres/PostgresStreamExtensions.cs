using Sluice.Connectors.Postgres.Sinks;
using Sluice.Schemas;

namespace Sluice.Connectors.Postgres;

/// <summary>Adds the PostgreSQL sink to a <see cref="DataStream{T}"/>.</summary>
public static class PostgresStreamExtensions
{
    /// <summary>
    /// Writes the stream's records as rows of <see cref="PostgresSinkOptions.Table"/>, exactly once with checkpoints (see
    /// <see cref="PostgresSink{T}"/>); columns come from <typeparamref name="T"/>'s public properties (snake_case).
    /// </summary>
    /// <exception cref="ArgumentException">An option is missing or inconsistent.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in the stream type (DataStream<T> or DataStream<Row> with a Schema), so no call binds ambiguously.")]
    public static DataStreamSink<T> ToPostgres<T>(this DataStream<T> stream, PostgresSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream.SinkTo(PostgresSink.For<T>(options), $"Postgres({options.Table})");
    }

    /// <summary>
    /// Writes the stream's rows, of <paramref name="schema"/> (the table's), as rows of <see cref="PostgresSinkOptions.Table"/>,
    /// exactly once with checkpoints. Rows of another schema follow <see cref="PostgresSinkOptions.SchemaEvolution"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An option is missing or inconsistent.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in the stream type (DataStream<T> or DataStream<Row> with a Schema), so no call binds ambiguously.")]
    public static DataStreamSink<Row> ToPostgres(this DataStream<Row> stream, PostgresSinkOptions options, Schema schema)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream.SinkTo(PostgresSink.ForRows(options, schema), $"Postgres({options.Table})");
    }
}
