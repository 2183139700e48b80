using System.Text.RegularExpressions;
using Npgsql;
using Sluice.Lineage;
using Sluice.Orchestration.Definitions;

namespace Sluice.Orchestration.Execution;

/// <summary>
/// The datasets of a <c>sql</c> task or a <c>table_fresh</c> sensor, named as the models name their relations
/// (<see cref="DatasetNames.DuckDb"/>: <c>{schema}.{table}</c>, schema <c>main</c> by default;
/// <see cref="DatasetNames.Postgres"/>: <c>{database}.{schema}.{table}</c>, schema <c>public</c> by default). A
/// <c>sql</c> task's outputs are only what is cheap to know without parsing SQL: the tables named right after
/// <c>CREATE [OR REPLACE] TABLE|VIEW [IF NOT EXISTS]</c>, <c>INSERT [OR REPLACE] INTO</c> and <c>MERGE INTO</c>;
/// its inputs are not reported. The PostgreSQL namespace comes from the connection string's host and port, never its
/// user or password; a connection string without a database names its tables under database <c>postgres</c>.
/// </summary>
internal static partial class SqlTaskDatasets
{
    /// <summary>The tables <paramref name="sql"/> creates or writes into, once each, in order.</summary>
    public static IReadOnlyList<LineageDataset> Outputs(SqlConnectionTarget target, string sql)
    {
        var outputs = new List<LineageDataset>();
        foreach (Match match in WrittenTable().Matches(StripComments(sql)))
        {
            if (Table(target, match.Groups["name"].Value) is { } dataset && !outputs.Exists(d => d.Namespace == dataset.Namespace && d.Name == dataset.Name))
            {
                outputs.Add(dataset);
            }
        }
        return outputs;
    }

    /// <summary>The dataset of table <paramref name="qualifiedName"/> (<c>t</c>, <c>s.t</c> or <c>db.s.t</c>, quotes allowed) of <paramref name="target"/>; null when it does not parse.</summary>
    public static LineageDataset? Table(SqlConnectionTarget target, string qualifiedName)
    {
        var parts = qualifiedName.Split('.', StringSplitOptions.TrimEntries).Select(Unquote).ToArray();
        if (parts.Length is 0 or > 3 || parts.Any(string.IsNullOrEmpty))
        {
            return null;
        }
        var table = parts[^1];
        if (target.DuckDbPath is { } path)
        {
            // A three-part name in another catalog (an ATTACHed database: pg.public.orders) is not the file's table.
            return parts.Length == 3 && !string.Equals(parts[0], Path.GetFileNameWithoutExtension(path), StringComparison.OrdinalIgnoreCase)
                ? null
                : DatasetNames.DuckDb(path, parts.Length >= 2 ? parts[^2] : "main", table);
        }
        var builder = new NpgsqlConnectionStringBuilder(target.PostgresConnectionString);
        // Several hosts ("a,b:5433") name one cluster by its first.
        var host = (builder.Host ?? "localhost").Split(',')[0];
        int? port = builder.Port;
        if (host.LastIndexOf(':') is var colon and > 0 && !host.StartsWith('[') && int.TryParse(host.AsSpan(colon + 1), out var hostPort))
        {
            (host, port) = (host[..colon], hostPort);
        }
        // Without a Database, PostgreSQL connects to the user's database; the name says "postgres" instead, so that no
        // user name ever becomes part of a dataset name.
        var database = parts.Length == 3 ? parts[0] : builder.Database ?? "postgres";
        return DatasetNames.Postgres(host, port, database, parts.Length >= 2 ? parts[^2] : "public", table);
    }

    /// <summary>A quoted identifier keeps its case; an unquoted one is folded to lower case, as both databases do.</summary>
    private static string Unquote(string part) =>
        part.Length >= 2 && part[0] == '"' && part[^1] == '"' ? part[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : part.ToLowerInvariant();

    private static string StripComments(string sql) => Comment().Replace(sql, " ");

    [GeneratedRegex(@"--[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex("""\b(?:create\s+(?:or\s+replace\s+)?(?:table|view)\s+(?:if\s+not\s+exists\s+)?|insert\s+(?:or\s+(?:replace|ignore)\s+)?into\s+|merge\s+into\s+)(?<name>(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)){0,2})""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WrittenTable();
}
