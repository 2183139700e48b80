using Sluice.Schemas;

namespace Sluice.Connectors.Postgres.Cdc;

/// <summary>Adds the PostgreSQL CDC source to a <see cref="StreamEnvironment"/>.</summary>
public static class PostgresCdcStreamExtensions
{
    /// <summary>
    /// A changelog of <see cref="PostgresCdcOptions.Table"/>'s rows (<paramref name="schema"/>'s columns): its snapshot,
    /// then its committed changes (see <see cref="PostgresCdcSource"/>). Enable checkpoints: the slot's WAL is released
    /// only when one completes.
    /// </summary>
    /// <exception cref="ArgumentException">An option is missing or out of range, or a field has a type the source cannot read.</exception>
    public static DataStream<Row> FromPostgresCdc(this StreamEnvironment env, PostgresCdcOptions options, Schema schema)
    {
        ArgumentNullException.ThrowIfNull(env);
        return env.FromSource(new PostgresCdcSource(options, schema), name: $"PostgresCdc({options.Table})");
    }
}
