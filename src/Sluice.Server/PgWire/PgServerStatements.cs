using System.Globalization;
using System.Text;
using Sluice.Server.Views;
using Sluice.Sql;
using Sluice.Sql.Syntax;

namespace Sluice.Server.PgWire;

/// <summary>
/// The statements of Sluice's own dialect the endpoint hands to the server (<see cref="ServerSql"/>) instead of DuckDB:
/// <c>CREATE MATERIALIZED VIEW</c>, <c>DROP MATERIALIZED VIEW</c>, <c>SHOW MATERIALIZED VIEWS</c>, <c>CREATE TABLE … WITH
/// ('connector' = …)</c>, <c>DROP TABLE</c> of such a table, and <c>INSERT INTO</c> (a job). Anything else is left to the
/// endpoint's read-only rules. Planned at Parse; the change happens when the statement executes. Stateless.
/// </summary>
internal static class PgServerStatements
{
    /// <summary>The plan of <paramref name="statement"/> when the server runs it, else null.</summary>
    /// <param name="server">The server that runs the statement.</param>
    /// <param name="statement">The statement's text.</param>
    /// <param name="tokens">Its tokens.</param>
    /// <param name="passwordVerified">Whether the login proved its password; a trusted login may only SHOW (42501 otherwise).</param>
    /// <exception cref="PgException">
    /// A materialized-view statement or an INSERT that does not parse (42601); a change (CREATE, DROP, INSERT) from a
    /// trusted login (42501).
    /// </exception>
    public static PgStatementPlan? TryPlan(ServerSql server, string statement, List<PgToken> tokens, bool passwordVerified)
    {
        var first = tokens[0];
        var materialized = tokens.Count > 1 && tokens[1].Is("MATERIALIZED");
        if (first.Is("SHOW") && materialized)
        {
            _ = Parse(statement);
            return new PgStatementPlan(PgPlanKind.Query, ShowSql(server.ListViews()), "SHOW", 0);
        }
        if (!(first.Is("CREATE") || first.Is("DROP") || first.Is("INSERT")))
        {
            return null;
        }
        if (materialized)
        {
            return Plan(server, Parse(statement), passwordVerified);
        }
        if (!(first.Is("INSERT") || (tokens.Count > 1 && tokens[1].Is("TABLE"))))
        {
            return null;
        }
        // CREATE TABLE in Sluice's dialect (with a connector), and DROP TABLE of and INSERT INTO such a table, go to the
        // server; other CREATE/DROP TABLE and INSERT statements stay refused as writes into the warehouse.
        SqlStatement parsed;
        try
        {
            parsed = SqlParser.ParseStatement(statement);
        }
        catch (SqlException)
        {
            return null;
        }
        return parsed switch
        {
            SqlCreateTable create when create.Options.Any(o => o.Key == "connector") => Plan(server, create, passwordVerified),
            SqlDrop { Kind: SqlObjectKind.Table } drop when IsServerTable(server, drop.Name) => Plan(server, drop, passwordVerified),
            SqlInsert insert when IsServerTable(server, insert.Table) => Plan(server, insert, passwordVerified),
            _ => null,
        };
    }

    private static bool IsServerTable(ServerSql server, SqlIdentifier name) =>
        name.Names.Count == 1 && server.State.Tables.Any(t => string.Equals(t.Name, name.Names[0], StringComparison.OrdinalIgnoreCase));

    private static SqlStatement Parse(string statement)
    {
        try
        {
            return SqlParser.ParseStatement(statement);
        }
        catch (SqlException e)
        {
            throw new PgException(PgSqlState.SyntaxError, e.Describe(statement).Split('\n')[0], innerException: e);
        }
    }

    // A change starts or stops a job that reads and writes files: only a login that proved its password may make one.
    private static PgStatementPlan Plan(ServerSql server, SqlStatement statement, bool passwordVerified) => passwordVerified
        ? PlanStatement(server, statement)
        : throw new PgException(PgSqlState.InsufficientPrivilege, $"{SqlFormatter.Format(statement).Split(' ')[0]} needs a password login: this session is a trusted loopback login (--pg-trust-loopback), which is read-only, and the statement runs a server job that reads and writes files; connect with a user and password.");

    private static PgStatementPlan PlanStatement(ServerSql server, SqlStatement statement) => statement switch
    {
        SqlCreateMaterializedView create => Command("CREATE MATERIALIZED VIEW", () => server.CreateViewAsync(create, CancellationToken.None)),
        SqlDrop { Kind: SqlObjectKind.MaterializedView } drop => Command("DROP MATERIALIZED VIEW", () => server.DropViewAsync(drop, CancellationToken.None)),
        SqlCreateTable create => Command("CREATE TABLE", () => server.CreateTableAsync(create, CancellationToken.None)),
        SqlDrop { Kind: SqlObjectKind.Table } drop => Command("DROP TABLE", () => server.DropTableAsync(drop, CancellationToken.None)),
        // CommandComplete of an INSERT is "INSERT 0 <rows>": the rows are written by the job, later, so 0 here.
        SqlInsert => Command("INSERT 0 0", () => server.InsertAsync(statement, CancellationToken.None)),
        _ => throw new PgException(PgSqlState.SyntaxError, $"{SqlFormatter.Format(statement).Split(' ')[0]} is not a statement the server runs here."),
    };

    /// <summary>A command that runs <paramref name="run"/> to its end when executed, its refusal an ErrorResponse.</summary>
    private static PgStatementPlan Command(string tag, Func<Task> run) => new(PgPlanKind.Command, "", tag, 0, () =>
    {
        try
        {
            // The connection's loop waits for the change, as PostgreSQL's DDL does; it is short (a job start).
            run().GetAwaiter().GetResult();
        }
        catch (ServerSqlException e)
        {
            throw new PgException(e.Error switch
            {
                ServerSqlError.NotFound => PgSqlState.UndefinedTable,
                ServerSqlError.Exists => PgSqlState.DuplicateTable,
                ServerSqlError.Unsupported => PgSqlState.FeatureNotSupported,
                _ => PgSqlState.SyntaxError,
            }, e.Message, innerException: e);
        }
        catch (Exception e) when (e is not OperationCanceledException and not PgException)
        {
            // A DuckDB error in DROP, an IOException saving the catalog: the statement failed, the session goes on.
            throw new PgException(PgSqlState.InternalError, $"{tag} failed: {e.GetType().Name}: {e.Message}", innerException: e);
        }
    });

    /// <summary>The DuckDB query answering SHOW MATERIALIZED VIEWS: one row per view, as listed when planned.</summary>
    private static string ShowSql(IReadOnlyList<MaterializedViewStatus> views)
    {
        const string Columns = "name, query, key, state, job_id, last_checkpoint, freshness_seconds";
        if (views.Count == 0)
        {
            return $"SELECT NULL::VARCHAR AS name, NULL::VARCHAR AS query, NULL::VARCHAR AS key, NULL::VARCHAR AS state, NULL::VARCHAR AS job_id, NULL::TIMESTAMPTZ AS last_checkpoint, NULL::DOUBLE AS freshness_seconds WHERE false";
        }
        var sql = new StringBuilder("SELECT ").Append(Columns).Append(" FROM (VALUES ");
        for (var i = 0; i < views.Count; i++)
        {
            var view = views[i];
            sql.Append(i > 0 ? ", " : "").Append('(')
                .Append(PgSqlText.Literal(view.Name)).Append(", ")
                .Append(PgSqlText.Literal(view.Query)).Append(", ")
                .Append(PgSqlText.Literal(string.Join(", ", view.Key))).Append(", ")
                .Append(PgSqlText.Literal(view.State)).Append(", ")
                .Append(PgSqlText.Literal(view.JobId)).Append(", ")
                .Append(view.LastCheckpoint is { } last ? PgSqlText.Literal(last.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff+00", CultureInfo.InvariantCulture)) + "::TIMESTAMPTZ" : "NULL::TIMESTAMPTZ").Append(", ")
                .Append(view.FreshnessSeconds.ToString("R", CultureInfo.InvariantCulture)).Append("::DOUBLE)");
        }
        return sql.Append(") AS v(").Append(Columns).Append(") ORDER BY name").ToString();
    }
}
