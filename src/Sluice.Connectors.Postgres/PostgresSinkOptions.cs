namespace Sluice.Connectors.Postgres;

/// <summary>Where and how the PostgreSQL sink writes. Immutable.</summary>
public sealed record PostgresSinkOptions
{
    /// <summary>
    /// An Npgsql connection string (<c>Host=…;Port=…;Username=…;Password=…;Database=…</c>). Required. It is never
    /// logged or shown in errors: it may hold a password.
    /// </summary>
    public required string ConnectionString { get; init; }

    /// <summary>The target table: <c>name</c> (in the connection's search path, usually <c>public</c>) or <c>schema.name</c>. Required.</summary>
    public required string Table { get; init; }

    /// <summary>Append (default) or upsert by <see cref="PrimaryKey"/>.</summary>
    public PostgresWriteMode Mode { get; init; } = PostgresWriteMode.Append;

    /// <summary>The key columns for <see cref="PostgresWriteMode.Upsert"/> (required then; must be empty for append).</summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];
}
