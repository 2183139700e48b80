using System.Data.Common;
using DuckDB.NET.Data;

namespace Sluice.Server.PgWire;

/// <summary>
/// One wire connection's SQL side: its settings (SET/SHOW), its transaction status, and its DuckDB connection to the
/// warehouse with the lake's Parquet tables as temporary views — the catalog <c>sluice query</c> sees. Plans each
/// statement (<see cref="Plan"/>): reads go to DuckDB, catalog queries psql and Npgsql send are rewritten
/// (<see cref="PgCatalogRewrites"/>), SET/SHOW/BEGIN/COMMIT are answered here, statements of Sluice's dialect (CREATE
/// MATERIALIZED VIEW, CREATE TABLE with a connector, INSERT INTO…) go to the server (<see cref="PgServerStatements"/>),
/// other writes are refused. The DuckDB connection opens at the first query and shares the process's open warehouse with
/// the server's sinks (DuckDB.NET keeps one database per file), so a query reads what the sinks last committed.
/// Used by one connection loop; only <see cref="Cancel"/> may be called from another thread.
/// </summary>
internal sealed class PgSqlSession : IDisposable
{
    private static readonly HashSet<string> s_reads = new(StringComparer.OrdinalIgnoreCase)
    {
        "SELECT", "WITH", "VALUES", "TABLE", "FROM", "(", "DESCRIBE", "SUMMARIZE", "EXPLAIN",
    };

    private static readonly HashSet<string> s_wrappable = new(StringComparer.OrdinalIgnoreCase) { "SELECT", "WITH", "VALUES", "TABLE", "FROM", "(" };

    private static readonly HashSet<string> s_writes = new(StringComparer.OrdinalIgnoreCase)
    {
        "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "CREATE", "DROP", "ALTER", "TRUNCATE", "COPY", "ATTACH", "DETACH",
        "INSTALL", "LOAD", "EXPORT", "IMPORT", "PRAGMA", "CALL", "CHECKPOINT", "FORCE", "VACUUM", "GRANT", "REVOKE",
        "COMMENT", "USE", "ANALYZE", "REINDEX", "CLUSTER", "LOCK", "PREPARE", "EXECUTE", "DO", "REFRESH",
    };

    private readonly PgWarehouse _warehouse;
    private readonly Dictionary<string, string> _settings;
    private readonly Lock _lock = new();
    private DuckDBConnection? _connection;
    private readonly bool _passwordVerified;
    private bool _running;
    private bool _disposed;

    /// <param name="warehouse">The warehouse the session reads.</param>
    /// <param name="user">The login's user name.</param>
    /// <param name="applicationName">The client's application_name.</param>
    /// <param name="passwordVerified">
    /// True when the login proved its password (SCRAM-SHA-256); false for a trusted loopback login
    /// (<see cref="PgWireOptions.TrustLoopback"/>), which may read but not create, drop or write (42501).
    /// </param>
    public PgSqlSession(PgWarehouse warehouse, string user, string applicationName, bool passwordVerified = false)
    {
        _warehouse = warehouse;
        _passwordVerified = passwordVerified;
        _settings = new Dictionary<string, string>(PgSettings.Defaults(user, applicationName), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>ReadyForQuery's transaction status: <c>I</c> idle, <c>T</c> inside BEGIN … COMMIT (a no-op: every query reads committed data).</summary>
    public char TransactionStatus { get; private set; } = 'I';

    /// <summary>Whether a query runs on DuckDB now (between <see cref="Run"/> and <see cref="EndRun"/>). Thread-safe.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_lock)
            {
                return _running;
            }
        }
    }

    /// <summary>The value of setting <paramref name="name"/> (the ParameterStatus ones included).</summary>
    public string Setting(string name) => _settings.TryGetValue(name, out var value) ? value : "";

    /// <summary>Plans one statement (no <c>;</c> inside).</summary>
    /// <exception cref="PgException">The statement is refused (a write: 25006) or not understood (42601, 42704).</exception>
    public PgStatementPlan Plan(string statement)
    {
        var tokens = PgSqlText.Tokens(statement);
        if (tokens.Count == 0)
        {
            return PgStatementPlan.Empty;
        }
        if (_warehouse.Server is { } server && PgServerStatements.TryPlan(server, statement, tokens, _passwordVerified) is { } serverPlan)
        {
            return serverPlan;
        }
        var first = tokens[0].Text.ToUpperInvariant();
        switch (first)
        {
            case "BEGIN" or "START":
                return Command("BEGIN", () => TransactionStatus = 'T');
            case "COMMIT" or "END":
                return Command("COMMIT", () => TransactionStatus = 'I');
            case "ROLLBACK" or "ABORT":
                return Command("ROLLBACK", () => TransactionStatus = 'I');
            case "SET":
                return PlanSet(tokens);
            case "RESET":
                return PlanReset(tokens);
            case "SHOW":
                return PlanShow(statement, tokens);
            case "DISCARD":
                return Command("DISCARD ALL", () => TransactionStatus = 'I');
            case "DEALLOCATE":
                return Command("DEALLOCATE", null);
            case "LISTEN" or "UNLISTEN" or "NOTIFY":
                throw new PgException(PgSqlState.FeatureNotSupported, $"{first} is not supported: the Sluice endpoint has no notifications.");
        }
        if (s_writes.Contains(first) || (first == "WITH" && WritesInside(tokens)))
        {
            throw new PgException(PgSqlState.ReadOnlyTransaction,
                $"{(first == "WITH" ? "A data-modifying WITH" : first)} is refused: the Sluice PostgreSQL endpoint only reads the warehouse and the lake, which jobs write; create a table with CREATE TABLE … WITH ('connector' = …), write with INSERT INTO (a job) or CREATE MATERIALIZED VIEW.");
        }
        if (!s_reads.Contains(first))
        {
            throw new PgException(PgSqlState.SyntaxError, $"syntax error at or near \"{tokens[0].Text}\"");
        }
        if (first == "EXPLAIN" && tokens.Exists(static t => t.Is("ANALYZE") || t.Is("ANALYSE")))
        {
            // DuckDB's EXPLAIN ANALYZE runs the statement it explains, which may write.
            throw new PgException(PgSqlState.ReadOnlyTransaction, "EXPLAIN ANALYZE is refused: it runs the statement; the Sluice PostgreSQL endpoint only reads. Use EXPLAIN without ANALYZE.");
        }
        PgQueryGuard.Check(tokens);
        var sql = PgCatalogRewrites.Rewrite(statement, tokens) ?? statement;
        return new PgStatementPlan(PgPlanKind.Query, sql, "SELECT", PgSqlText.ParameterCount(tokens)) { Wrappable = s_wrappable.Contains(first) };
    }

    /// <summary>
    /// Runs <paramref name="sql"/> with positional parameters and returns its streaming reader; the caller disposes the
    /// reader and then <paramref name="command"/>. Marks the session running until <see cref="EndRun"/>, so
    /// <see cref="Cancel"/> can interrupt it.
    /// </summary>
    /// <exception cref="PgException">DuckDB refused or failed the query (its error translated to a SQLSTATE).</exception>
    public DbDataReader Run(string sql, IReadOnlyList<object?> parameters, out DuckDBCommand command)
    {
        var connection = Connection();
        command = connection.CreateCommand();
        command.CommandText = sql;
        command.UseStreamingMode = true;
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(parameter ?? DBNull.Value));
        }
        lock (_lock)
        {
            _running = true;
        }
        try
        {
            return command.ExecuteReader();
        }
        catch (DuckDBException e)
        {
            EndRun();
            command.Dispose();
            throw PgDuckDbErrors.Translate(e);
        }
        catch (OperationCanceledException e)
        {
            // DuckDB.NET reports an interrupted query (Cancel) as a cancellation.
            EndRun();
            command.Dispose();
            throw PgDuckDbErrors.Canceled(e);
        }
    }

    /// <summary>Marks the query from <see cref="Run"/> finished (its reader is disposed or about to be).</summary>
    public void EndRun()
    {
        lock (_lock)
        {
            _running = false;
        }
    }

    /// <summary>
    /// Interrupts the running query, if any (a CancelRequest, or the client gone mid-query): DuckDB stops it and the
    /// reader throws, answered 57014. Thread-safe; a no-op when nothing runs.
    /// </summary>
    public void Cancel()
    {
        lock (_lock)
        {
            if (_running && !_disposed && _connection is { } connection)
            {
                DuckDB.NET.Native.NativeMethods.Startup.DuckDBInterrupt(connection.NativeConnection);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _connection?.Dispose();
            _connection = null;
        }
    }

    private DuckDBConnection Connection()
    {
        if (_connection is { } open)
        {
            return open;
        }
        try
        {
            var connection = _warehouse.Open();
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _connection = connection;
            }
            return connection;
        }
        catch (DuckDBException e)
        {
            throw new PgException(PgSqlState.InternalError, $"The warehouse {_warehouse.Path} cannot be opened: {PgDuckDbErrors.FirstLine(e.Message)}", innerException: e);
        }
    }

    private static PgStatementPlan Command(string tag, Action? apply) => new(PgPlanKind.Command, "", tag, 0, apply);

    /// <summary>Whether a WITH statement's main statement writes (<c>WITH x AS (…) INSERT …</c>): a write keyword outside parentheses.</summary>
    private static bool WritesInside(List<PgToken> tokens)
    {
        var depth = 0;
        foreach (var token in tokens)
        {
            depth += token.Text == "(" ? 1 : token.Text == ")" ? -1 : 0;
            if (depth == 0 && token.Kind == PgTokenKind.Word && token.Text.ToUpperInvariant() is "INSERT" or "UPDATE" or "DELETE" or "MERGE")
            {
                return true;
            }
        }
        return false;
    }

    private PgStatementPlan PlanSet(List<PgToken> tokens)
    {
        var at = 1;
        if (at < tokens.Count && (tokens[at].Is("SESSION") || tokens[at].Is("LOCAL")))
        {
            at++;
        }
        if (at < tokens.Count && (tokens[at].Is("TRANSACTION") || tokens[at].Is("CHARACTERISTICS")))
        {
            // Isolation levels and read-only modes: every query reads committed data and nothing writes.
            return Command("SET", null);
        }
        string name;
        if (at + 1 < tokens.Count && tokens[at].Is("TIME") && tokens[at + 1].Is("ZONE"))
        {
            name = "TimeZone";
            at += 2;
        }
        else if (at < tokens.Count && tokens[at].Kind is PgTokenKind.Word or PgTokenKind.QuotedIdentifier)
        {
            name = PgSqlText.Unquote(tokens[at].Text);
            at++;
            while (at + 1 < tokens.Count && tokens[at].Text == "." && tokens[at + 1].Kind == PgTokenKind.Word)
            {
                name += "." + tokens[at + 1].Text;
                at += 2;
            }
            if (at < tokens.Count && (tokens[at].Text == "=" || tokens[at].Is("TO")))
            {
                at++;
            }
        }
        else
        {
            throw new PgException(PgSqlState.SyntaxError, "syntax error in SET: give SET name = value.");
        }
        if (at >= tokens.Count)
        {
            throw new PgException(PgSqlState.SyntaxError, $"syntax error in SET {name}: the value is missing.");
        }
        var value = string.Join(", ", tokens.Skip(at).Where(t => t.Text != ",").Select(t => PgSqlText.Unquote(t.Text)));
        if (name.Equals("client_encoding", StringComparison.OrdinalIgnoreCase) && !value.Replace("-", "", StringComparison.Ordinal).Equals("UTF8", StringComparison.OrdinalIgnoreCase))
        {
            throw new PgException(PgSqlState.FeatureNotSupported, $"client_encoding {value} is not supported: the endpoint speaks UTF8 only.");
        }
        if (name.Equals("TimeZone", StringComparison.OrdinalIgnoreCase) && !(value.Equals("UTC", StringComparison.OrdinalIgnoreCase) || value is "0" or "+00" or "00:00" || value.Equals("Etc/UTC", StringComparison.OrdinalIgnoreCase) || value.Equals("GMT", StringComparison.OrdinalIgnoreCase)))
        {
            throw new PgException(PgSqlState.FeatureNotSupported, $"TimeZone {value} is not supported: the endpoint answers in UTC only; convert in the query (timezone('{value}', ts)).");
        }
        return Command("SET", () => _settings[name] = value);
    }

    private PgStatementPlan PlanReset(List<PgToken> tokens)
    {
        var name = tokens.Count > 1 ? PgSqlText.Unquote(tokens[1].Text) : "";
        return Command("RESET", () =>
        {
            var defaults = PgSettings.Defaults(Setting("session_authorization"), Setting("application_name"));
            if (name.Equals("ALL", StringComparison.OrdinalIgnoreCase))
            {
                _settings.Clear();
                foreach (var (key, value) in defaults)
                {
                    _settings[key] = value;
                }
            }
            else if (defaults.TryGetValue(name, out var value))
            {
                _settings[name] = value;
            }
            else
            {
                _settings.Remove(name);
            }
        });
    }

    private PgStatementPlan PlanShow(string statement, List<PgToken> tokens)
    {
        var name = tokens.Count > 2 && tokens[1].Is("TIME") && tokens[2].Is("ZONE") ? "TimeZone"
            : tokens.Count > 1 ? PgSqlText.Unquote(tokens[1].Text) : "";
        if (_settings.TryGetValue(name, out var value))
        {
            var column = name.Equals("TimeZone", StringComparison.OrdinalIgnoreCase) ? "TimeZone" : name.ToLowerInvariant();
            return new PgStatementPlan(PgPlanKind.Query, $"SELECT {PgSqlText.Literal(value)} AS \"{column.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", "SHOW", 0);
        }
        if (tokens.Count > 1 && (tokens[1].Is("TABLES") || tokens[1].Is("ALL") || tokens[1].Is("DATABASES")))
        {
            // DuckDB's own SHOW TABLES / SHOW ALL TABLES list the warehouse and lake tables.
            PgQueryGuard.Check(tokens);
            return new PgStatementPlan(PgPlanKind.Query, statement, "SHOW", 0);
        }
        throw new PgException(PgSqlState.UndefinedObject, $"unrecognized configuration parameter \"{name}\"");
    }
}
