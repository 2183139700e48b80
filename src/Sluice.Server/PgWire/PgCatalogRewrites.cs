using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Server.PgWire;

/// <summary>
/// Rewrites the catalog queries PostgreSQL clients send at connect time or for their describe commands into queries
/// DuckDB answers. DuckDB has its own <c>pg_catalog</c> views (pg_class, pg_namespace, pg_attribute, pg_type…) and
/// runs most of psql's <c>\d</c> queries as they are; what it cannot run is recognised here by what only that query
/// contains, and answered with an equivalent:
/// <list type="bullet">
/// <item><c>version()</c> → the endpoint's PostgreSQL version text (<see cref="PgSettings.VersionText"/>).</item>
/// <item>Npgsql's type loading (on open) → the built-in types the endpoint sends, with their PostgreSQL OIDs; its
/// composite and enum queries → no rows (the warehouse has neither).</item>
/// <item>psql's catalog idioms DuckDB lacks (<c>OPERATOR(pg_catalog.~)</c>, <c>COLLATE pg_catalog.default</c>,
/// <c>pg_catalog.pg_am</c>, …) → DuckDB's spelling (<see cref="PsqlIdioms"/>).</item>
/// </list>
/// Stateless; returns null when a statement needs no rewrite.
/// </summary>
internal static partial class PgCatalogRewrites
{
    /// <summary>The types answered to Npgsql's type loading: (OID, name, element OID for arrays).</summary>
    private static readonly (int Oid, string Name, char Type, int Element)[] s_types =
    [
        (16, "bool", 'b', 0), (17, "bytea", 'b', 0), (18, "char", 'b', 0), (19, "name", 'b', 0), (20, "int8", 'b', 0),
        (21, "int2", 'b', 0), (23, "int4", 'b', 0), (25, "text", 'b', 0), (26, "oid", 'b', 0), (114, "json", 'b', 0),
        (700, "float4", 'b', 0), (701, "float8", 'b', 0), (705, "unknown", 'b', 0), (1042, "bpchar", 'b', 0),
        (1043, "varchar", 'b', 0), (1082, "date", 'b', 0), (1083, "time", 'b', 0), (1114, "timestamp", 'b', 0),
        (1184, "timestamptz", 'b', 0), (1186, "interval", 'b', 0), (1700, "numeric", 'b', 0), (2950, "uuid", 'b', 0),
        (3802, "jsonb", 'b', 0), (2249, "record", 'p', 0), (2278, "void", 'p', 0),
        (1000, "_bool", 'a', 16), (1001, "_bytea", 'a', 17), (1002, "_char", 'a', 18), (1003, "_name", 'a', 19),
        (1005, "_int2", 'a', 21), (1007, "_int4", 'a', 23), (1009, "_text", 'a', 25), (1014, "_bpchar", 'a', 1042),
        (1015, "_varchar", 'a', 1043), (1016, "_int8", 'a', 20), (1021, "_float4", 'a', 700), (1022, "_float8", 'a', 701),
        (1028, "_oid", 'a', 26), (1115, "_timestamp", 'a', 1114), (1182, "_date", 'a', 1082), (1183, "_time", 'a', 1083),
        (1185, "_timestamptz", 'a', 1184), (1187, "_interval", 'a', 1186), (1231, "_numeric", 'a', 1700),
        (2951, "_uuid", 'a', 2950), (199, "_json", 'a', 114), (3807, "_jsonb", 'a', 3802), (2287, "_record", 'a', 2249),
    ];

    private static readonly Lazy<string> s_typesQuery = new(() =>
    {
        var sql = new StringBuilder("SELECT * FROM (VALUES ");
        for (var i = 0; i < s_types.Length; i++)
        {
            var (oid, name, type, element) = s_types[i];
            sql.Append(i == 0 ? "" : ", ")
                .Append("('pg_catalog', ").Append(oid).Append(", '").Append(name).Append("', '").Append(type).Append("', false, ")
                .Append(element == 0 ? "NULL::INTEGER" : element.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(')');
        }
        return sql.Append(") AS t(nspname, oid, typname, typtype, typnotnull, elemtypoid)").ToString();
    });

    /// <summary>The DuckDB SQL to run instead of <paramref name="statement"/>, or null to run it as it is.</summary>
    public static string? Rewrite(string statement, List<PgToken> tokens)
    {
        if (Mentions(tokens, "typreceive") && Mentions(tokens, "elemtypoid"))
        {
            return s_typesQuery.Value;
        }
        if (Mentions(tokens, "atttypid") && Mentions(tokens, "typrelid") && Mentions(tokens, "attisdropped") && tokens.Count < 120)
        {
            // Npgsql's composite-type fields: the warehouse has no composite types.
            return "SELECT NULL::INTEGER AS oid, NULL::VARCHAR AS attname, NULL::INTEGER AS atttypid WHERE false";
        }
        if (Mentions(tokens, "pg_enum") && Mentions(tokens, "enumlabel"))
        {
            return "SELECT NULL::INTEGER AS oid, NULL::VARCHAR AS enumlabel WHERE false";
        }
        if (MissingCatalog().IsMatch(statement))
        {
            // Row-level security, extended statistics, publications, inheritance, triggers, rules: the warehouse has
            // none of them, so psql's \d sections about them find no rows.
            return "SELECT NULL AS none WHERE false";
        }
        var rewritten = PsqlIdioms(statement, tokens);
        if (Mentions(tokens, "version"))
        {
            rewritten = VersionCall().Replace(rewritten ?? statement, PgSqlText.Literal(PgSettings.VersionText));
        }
        return rewritten;
    }

    /// <summary>Whether a word token equals <paramref name="word"/> (case-insensitive).</summary>
    private static bool Mentions(List<PgToken> tokens, string word)
    {
        foreach (var token in tokens)
        {
            if (token.Is(word))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The temporary views and macros every connection gets (<see cref="PgWarehouse.Open"/>), standing in for the
    /// catalog columns and functions psql's <c>\d</c> queries use and DuckDB's <c>pg_catalog</c> lacks; the rewrite
    /// below points psql's queries at them.
    /// </summary>
    public static readonly string[] Shims =
    [
        // psql asks for relforcerowsecurity, which DuckDB's pg_class lacks; the shims themselves stay out of listings.
        "CREATE OR REPLACE TEMP VIEW sluice_pg_class AS SELECT *, false AS relforcerowsecurity FROM pg_catalog.pg_class WHERE NOT starts_with(relname, 'sluice_')",
        // DuckDB's pg_namespace has no row for the temporary schema, which holds the lake's views.
        """
        CREATE OR REPLACE TEMP VIEW sluice_pg_namespace AS
        SELECT * FROM pg_catalog.pg_namespace
        UNION ALL BY NAME
        SELECT oid, 'main' AS nspname, 0 AS nspowner FROM duckdb_schemas()
        WHERE database_name = 'temp' AND oid NOT IN (SELECT oid FROM pg_catalog.pg_namespace)
        """,
        "CREATE OR REPLACE TEMP MACRO sluice_pg_encoding_to_char(encoding) AS 'UTF8'",
        "CREATE OR REPLACE TEMP MACRO sluice_pg_get_userbyid(id) AS 'sluice'",
        "CREATE OR REPLACE TEMP MACRO sluice_pg_get_expr(expr, relation, pretty := false) AS CAST(expr AS VARCHAR)",
    ];

    /// <summary>psql's catalog idioms in DuckDB's spelling; null when the statement has none.</summary>
    private static string? PsqlIdioms(string statement, List<PgToken> tokens)
    {
        if (!Mentions(tokens, "pg_catalog"))
        {
            return null;
        }
        var sql = statement;
        sql = OperatorCall().Replace(sql, " $1 ");
        sql = CollateDefault().Replace(sql, "");
        sql = RegCast().Replace(sql, "");
        sql = TextCast().Replace(sql, "::VARCHAR");
        sql = ShimmedName().Replace(sql, "sluice_$1");
        return sql == statement ? null : sql;
    }

    /// <summary><c>::pg_catalog.regtype</c> and the other reg* casts: DuckDB has no such types; the OID stays.</summary>
    [GeneratedRegex(@"::\s*(pg_catalog\s*\.\s*)?(regtype|regclass|regproc|regprocedure|regnamespace|regoper|regrole)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RegCast();

    /// <summary>Catalogs PostgreSQL has and DuckDB does not (objects the warehouse cannot have).</summary>
    [GeneratedRegex(@"\bpg_catalog\s*\.\s*(pg_policy|pg_statistic_ext|pg_publication|pg_publication_rel|pg_publication_namespace|pg_inherits|pg_trigger|pg_rewrite|pg_partitioned_table|pg_foreign_table|pg_foreign_server|pg_subscription|pg_event_trigger|pg_extension|pg_roles|pg_auth_members|pg_user_mapping|pg_largeobject_metadata|pg_opclass|pg_operator|pg_conversion|pg_cast|pg_ts_config|pg_ts_dict|pg_ts_parser|pg_ts_template|pg_foreign_data_wrapper|pg_language|pg_default_acl|pg_init_privs|pg_seclabel|pg_shdescription)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MissingCatalog();

    /// <summary><c>::pg_catalog.text</c> → <c>::VARCHAR</c>.</summary>
    [GeneratedRegex(@"::\s*pg_catalog\s*\.\s*(text|name|varchar|bpchar)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TextCast();

    /// <summary>The catalog objects with a shim (<see cref="Shims"/>), as psql qualifies them.</summary>
    [GeneratedRegex(@"\bpg_catalog\s*\.\s*(pg_class|pg_namespace|pg_get_userbyid|pg_get_expr|pg_encoding_to_char)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ShimmedName();

    [GeneratedRegex(@"(?<![\w.])(pg_catalog\s*\.\s*)?version\s*\(\s*\)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex VersionCall();

    /// <summary><c>OPERATOR(pg_catalog.~)</c> → <c>~</c>.</summary>
    [GeneratedRegex(@"OPERATOR\s*\(\s*pg_catalog\s*\.\s*([~!=<>]+)\s*\)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OperatorCall();

    /// <summary><c>COLLATE pg_catalog.default</c> → nothing (DuckDB's default collation is the same binary one).</summary>
    [GeneratedRegex(@"COLLATE\s+pg_catalog\s*\.\s*""?default""?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CollateDefault();
}
