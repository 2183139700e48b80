using System.Globalization;

namespace Sluice.Lineage;

/// <summary>
/// Dataset names per the OpenLineage naming conventions, one method per kind of system Sluice connects to, so the
/// same table or topic gets the same identity from every job (the table is in <c>docs/lineage.md</c>). Hosts are
/// lower-cased and default ports filled in, since <c>kafka://Broker</c> and <c>kafka://broker:9092</c> are one cluster.
/// </summary>
public static class DatasetNames
{
    /// <summary>A PostgreSQL table: namespace <c>postgres://{host}:{port}</c>, name <c>{database}.{schema}.{table}</c>.</summary>
    public static LineageDataset Postgres(string host, int? port, string database, string schema, string table) =>
        Dataset($"postgres://{Host(host)}:{port ?? 5432}", $"{Required(database, nameof(database))}.{Required(schema, nameof(schema))}.{Required(table, nameof(table))}");

    /// <summary>
    /// A Kafka topic: namespace <c>kafka://{host}:{port}</c> of the first bootstrap server in
    /// <paramref name="bootstrapServers"/> (comma-separated, as clients take them; a scheme and user info are left out), name the topic.
    /// </summary>
    public static LineageDataset Kafka(string bootstrapServers, string topic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        var first = bootstrapServers.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)[0];
        if (first.Contains("://", StringComparison.Ordinal))
        {
            first = first[(first.IndexOf("://", StringComparison.Ordinal) + 3)..];
        }
        // User info ("user:password@host") is a secret: it never becomes part of a dataset name.
        first = first[(first.LastIndexOf('@') + 1)..];
        var (host, port) = SplitHostPort(first, 9092);
        return Dataset($"kafka://{host}:{port}", Required(topic, nameof(topic)));
    }

    /// <summary>A local file or directory (a lake table, a Delta table, a JSON-lines folder): namespace <c>file</c>, name its absolute path ('/' separated).</summary>
    public static LineageDataset File(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path).Replace('\\', '/');
        return Dataset("file", full.Length > 1 ? full.TrimEnd('/') : full);
    }

    /// <summary>
    /// A DuckDB table (Sluice's choice; the spec names no DuckDB convention): namespace <c>duckdb://{absolute database file}</c>,
    /// name <c>{schema}.{table}</c>. An in-memory database is <c>duckdb://:memory:</c>.
    /// </summary>
    public static LineageDataset DuckDb(string databasePath, string schema, string table)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        var file = databasePath == ":memory:" ? databasePath : Path.GetFullPath(databasePath).Replace('\\', '/');
        return Dataset("duckdb://" + file, $"{Required(schema, nameof(schema))}.{Required(table, nameof(table))}");
    }

    /// <summary>
    /// Redis keys (Sluice's choice; the spec names no Redis convention): namespace <c>redis://{host}:{port}</c>, name
    /// <c>{database}.{key or key prefix}</c> (e.g. <c>0.user:</c> for a sink writing <c>user:{key}</c>).
    /// </summary>
    public static LineageDataset Redis(string host, int? port, int database, string keyOrPrefix) =>
        Dataset($"redis://{Host(host)}:{port ?? 6379}", database.ToString(CultureInfo.InvariantCulture) + "." + Required(keyOrPrefix, nameof(keyOrPrefix)));

    /// <summary>A topic of Sluice's embedded log: namespace <c>sluice://{absolute data directory}</c>, name the topic.</summary>
    public static LineageDataset SluiceLog(string dataDirectory, string topic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        return Dataset("sluice://" + Path.GetFullPath(dataDirectory).Replace('\\', '/').TrimEnd('/'), Required(topic, nameof(topic)));
    }

    private static LineageDataset Dataset(string ns, string name) => new() { Namespace = ns, Name = name };

    private static string Host(string host)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        return host.Trim().ToLowerInvariant();
    }

    private static string Required(string value, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
        return value;
    }

    private static (string Host, int Port) SplitHostPort(string server, int defaultPort)
    {
        var colon = server.LastIndexOf(':');
        // "[::1]:9092" and "host:9092" have a port after the last colon; a bare IPv6 address without brackets has none.
        if (colon > 0 && (server.IndexOf(':') == colon || server.StartsWith('[')) && int.TryParse(server.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return (Host(server[..colon]), port);
        }
        return (Host(server), defaultPort);
    }
}
