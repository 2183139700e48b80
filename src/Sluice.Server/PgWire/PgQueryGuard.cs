namespace Sluice.Server.PgWire;

/// <summary>
/// Keeps a wire client's query inside the warehouse and the lake. The endpoint shares the process's open warehouse
/// with the sinks, which need DuckDB's file access (staged Parquet), so DuckDB's global <c>enable_external_access</c>
/// cannot be switched off for it: this guard refuses, before DuckDB sees them, the table functions that read files or
/// other databases (<c>read_*</c>, <c>*_scan</c>, <c>glob</c>, <c>parquet_*</c>…) and a file named in place of a table
/// (<c>FROM 'x.csv'</c>, <c>FROM "dir/x.parquet"</c>, DuckDB's replacement scans). Conservative: a string literal that
/// looks like a path right after FROM, JOIN or a comma is refused even where it is harmless. Stateless.
/// </summary>
internal static class PgQueryGuard
{
    private static readonly HashSet<string> s_fileFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "glob", "sniff_csv", "getenv", "query", "query_table", "parquet_metadata", "parquet_schema", "parquet_file_metadata",
        "parquet_kv_metadata", "parquet_bloom_probe", "load_aws_credentials", "duckdb_secrets", "json_execute_serialized_sql",
    };

    private static readonly string[] s_fileFunctionPrefixes = ["read_", "iceberg_", "delta_", "sqlite_", "postgres_", "mysql_"];

    /// <summary>Throws when the statement reaches outside the warehouse and the lake.</summary>
    /// <exception cref="PgException">42501 naming the function or the path.</exception>
    public static void Check(List<PgToken> tokens)
    {
        for (var t = 0; t < tokens.Count; t++)
        {
            var token = tokens[t];
            var called = t + 1 < tokens.Count && tokens[t + 1].Text == "(";
            if (called && token.Kind is PgTokenKind.Word or PgTokenKind.QuotedIdentifier && IsFileFunction(PgSqlText.Unquote(token.Text)))
            {
                throw new PgException(PgSqlState.InsufficientPrivilege,
                    $"{PgSqlText.Unquote(token.Text)}() is refused: the PostgreSQL endpoint reads the warehouse and the lake only, never other files or databases; query the lake's tables by name.");
            }
            var afterSource = t > 0 && (tokens[t - 1].Is("FROM") || tokens[t - 1].Is("JOIN") || tokens[t - 1].Text == ",");
            if (afterSource && token.Kind is PgTokenKind.String or PgTokenKind.QuotedIdentifier && LooksLikePath(PgSqlText.Unquote(token.Text.TrimStart('E', 'e'))))
            {
                throw new PgException(PgSqlState.InsufficientPrivilege,
                    $"Reading the file '{PgSqlText.Unquote(token.Text)}' is refused: the PostgreSQL endpoint reads the warehouse and the lake only; query the lake's tables by name.");
            }
        }
    }

    private static bool IsFileFunction(string name)
    {
        if (s_fileFunctions.Contains(name) || name.EndsWith("_scan", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        foreach (var prefix in s_fileFunctionPrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A path or URL DuckDB would open: a separator, a scheme, a glob, or a data file's extension.</summary>
    private static bool LooksLikePath(string text) =>
        text.Contains('/', StringComparison.Ordinal) || text.Contains('*', StringComparison.Ordinal)
        || text.Contains(':', StringComparison.Ordinal) || System.IO.Path.HasExtension(text);
}
