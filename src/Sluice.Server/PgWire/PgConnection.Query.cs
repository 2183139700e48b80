using System.Data.Common;
using System.Net.Sockets;
using DuckDB.NET.Data;

namespace Sluice.Server.PgWire;

internal sealed partial class PgConnection
{
    private readonly Dictionary<string, PgPrepared> _statements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PgPortal> _portals = new(StringComparer.Ordinal);

    /// <summary>After an error in the extended protocol, messages are skipped until Sync (as PostgreSQL does).</summary>
    private bool _skipUntilSync;

    private PgSqlSession Sql => _sql ?? throw new InvalidOperationException("The session has not started.");

    private async Task MessageLoopAsync(CancellationToken stopping)
    {
        while (true)
        {
            var message = await _reader.ReadMessageAsync(stopping).ConfigureAwait(false);
            if (message is not var (type, body))
            {
                return;
            }
            if (type == 'X')
            {
                return;
            }
            if (_skipUntilSync && type != 'S')
            {
                continue;
            }
            try
            {
                switch (type)
                {
                    case 'Q':
                        await SimpleQueryAsync(body.ReadCString("query"), stopping).ConfigureAwait(false);
                        break;
                    case 'P':
                        Parse(body);
                        break;
                    case 'B':
                        Bind(body);
                        break;
                    case 'D':
                        Describe(body);
                        break;
                    case 'E':
                        await ExecuteAsync(body, stopping).ConfigureAwait(false);
                        break;
                    case 'C':
                        Close(body);
                        break;
                    case 'H':
                        await _writer.FlushAsync(stopping).ConfigureAwait(false);
                        break;
                    case 'S':
                        _skipUntilSync = false;
                        ClosePortals();
                        WriteReadyForQuery();
                        await _writer.FlushAsync(stopping).ConfigureAwait(false);
                        break;
                    case 'F':
                        throw new PgException(PgSqlState.FeatureNotSupported, "The function call message is not supported: call the function in a query (SELECT f(…)).");
                    case 'd' or 'c' or 'f':
                        throw new PgException(PgSqlState.FeatureNotSupported, "COPY is not supported by the Sluice endpoint: read with SELECT.");
                    default:
                        throw new PgException(PgSqlState.ProtocolViolation, $"invalid frontend message type {(int)type} ('{type}')", fatal: true);
                }
            }
            catch (PgException e) when (!e.Fatal)
            {
                WriteError(e);
                if (type == 'F')
                {
                    WriteReadyForQuery();
                    await _writer.FlushAsync(stopping).ConfigureAwait(false);
                }
                else if (type != 'Q')
                {
                    _skipUntilSync = true;
                }
            }
        }
    }

    private async Task SimpleQueryAsync(string sql, CancellationToken stopping)
    {
        // A simple Query replaces the unnamed statement and portal.
        _statements.Remove("");
        ClosePortal("");
        try
        {
            var statements = PgSqlText.Split(sql);
            if (statements.Count == 0)
            {
                _writer.Begin('I');
                _writer.End();
            }
            foreach (var statement in statements)
            {
                var plan = Sql.Plan(statement);
                using var portal = new PgPortal(Sql, plan, [], []);
                if (plan.Kind == PgPlanKind.Query)
                {
                    StartPortal(portal);
                    WriteRowDescription(portal.Columns!, portal.ResultFormats);
                }
                await RunPortalAsync(portal, 0, stopping).ConfigureAwait(false);
            }
        }
        catch (PgException e) when (!e.Fatal)
        {
            WriteError(e);
        }
        WriteReadyForQuery();
        await _writer.FlushAsync(stopping).ConfigureAwait(false);
    }

    private void Parse(PgBody body)
    {
        var name = body.ReadCString("statement name");
        var query = body.ReadCString("query");
        var declared = new int[body.ReadCount("parameter type count")];
        for (var i = 0; i < declared.Length; i++)
        {
            declared[i] = body.ReadInt32("parameter type");
        }
        if (name.Length > 0 && _statements.ContainsKey(name))
        {
            throw new PgException(PgSqlState.DuplicatePreparedStatement, $"prepared statement \"{name}\" already exists");
        }
        var statements = PgSqlText.Split(query);
        if (statements.Count > 1)
        {
            throw new PgException(PgSqlState.SyntaxError, "cannot insert multiple commands into a prepared statement");
        }
        var plan = statements.Count == 0 ? PgStatementPlan.Empty : Sql.Plan(statements[0]);
        var types = new int[Math.Max(declared.Length, plan.ParameterCount)];
        declared.CopyTo(types, 0);
        _statements[name] = new PgPrepared(plan, types);
        _writer.Begin('1');
        _writer.End();
    }

    private void Bind(PgBody body)
    {
        var portalName = body.ReadCString("portal name");
        var statementName = body.ReadCString("statement name");
        var formats = new short[body.ReadCount("parameter format count")];
        for (var i = 0; i < formats.Length; i++)
        {
            formats[i] = body.ReadInt16("parameter format");
        }
        var prepared = Prepared(statementName);
        var count = body.ReadCount("parameter count");
        if (count != prepared.ParameterTypes.Length)
        {
            throw new PgException(PgSqlState.ProtocolViolation, $"bind message supplies {count} parameters, but prepared statement \"{statementName}\" requires {prepared.ParameterTypes.Length}");
        }
        if (formats.Length is not (0 or 1) && formats.Length != count)
        {
            throw new PgException(PgSqlState.ProtocolViolation, $"bind message has {formats.Length} parameter formats but {count} parameters");
        }
        var values = new object?[count];
        for (var i = 0; i < count; i++)
        {
            var length = body.ReadInt32($"length of parameter ${i + 1}");
            if (length < 0)
            {
                continue;
            }
            var binary = (formats.Length == 0 ? 0 : formats.Length == 1 ? formats[0] : formats[i]) == 1;
            values[i] = PgParameterDecoder.Decode(i, prepared.ParameterTypes[i], binary, body.ReadBytes(length, $"parameter ${i + 1}").ToArray());
        }
        var resultFormats = new short[body.ReadCount("result format count")];
        for (var i = 0; i < resultFormats.Length; i++)
        {
            resultFormats[i] = body.ReadInt16("result format");
        }
        if (portalName.Length > 0 && _portals.ContainsKey(portalName))
        {
            throw new PgException("42P03", $"cursor \"{portalName}\" already exists");
        }
        ClosePortal(portalName);
        _portals[portalName] = new PgPortal(Sql, prepared.Plan, values, resultFormats);
        _writer.Begin('2');
        _writer.End();
    }

    private void Describe(PgBody body)
    {
        var what = (char)body.ReadByte("describe target");
        var name = body.ReadCString("name");
        if (what == 'S')
        {
            var prepared = Prepared(name);
            _writer.Begin('t');
            _writer.WriteInt16((short)prepared.ParameterTypes.Length);
            foreach (var oid in prepared.ParameterTypes)
            {
                _writer.WriteInt32(oid == 0 ? PgType.Oid(PgTypeKind.Text) : oid);
            }
            _writer.End();
            if (prepared.Plan.Kind != PgPlanKind.Query)
            {
                WriteNoData();
                return;
            }
            prepared.Columns ??= DescribeStatement(prepared);
            WriteRowDescription(prepared.Columns, []);
        }
        else if (what == 'P')
        {
            var portal = Portal(name);
            if (portal.Plan.Kind != PgPlanKind.Query)
            {
                WriteNoData();
                return;
            }
            StartPortal(portal);
            WriteRowDescription(portal.Columns!, portal.ResultFormats);
        }
        else
        {
            throw new PgException(PgSqlState.ProtocolViolation, $"invalid DESCRIBE message subtype {(int)what}");
        }
    }

    private async Task ExecuteAsync(PgBody body, CancellationToken stopping)
    {
        var portal = Portal(body.ReadCString("portal name"));
        var maxRows = body.ReadInt32("row limit");
        if (portal.Plan.Kind == PgPlanKind.Query)
        {
            StartPortal(portal);
        }
        await RunPortalAsync(portal, maxRows, stopping).ConfigureAwait(false);
    }

    private void Close(PgBody body)
    {
        var what = (char)body.ReadByte("close target");
        var name = body.ReadCString("name");
        switch (what)
        {
            case 'S':
                _statements.Remove(name);
                break;
            case 'P':
                ClosePortal(name);
                break;
            default:
                throw new PgException(PgSqlState.ProtocolViolation, $"invalid CLOSE message subtype {(int)what}");
        }
        _writer.Begin('3');
        _writer.End();
    }

    /// <summary>Starts the portal's query on DuckDB (once) and learns its columns.</summary>
    private void StartPortal(PgPortal portal)
    {
        if (portal.Started)
        {
            return;
        }
        // DuckDB streams one result per connection at a time: a portal still open is drained first (PostgreSQL
        // would keep both; clients that interleave portals are rare).
        foreach (var other in _portals.Values)
        {
            if (!ReferenceEquals(other, portal))
            {
                other.Finish();
            }
        }
        using (WatchClient())
        {
            var reader = Sql.Run(portal.Plan.Sql, portal.Parameters, out var command);
            portal.Start(command, reader, Columns(reader));
        }
    }

    /// <summary>Sends up to <paramref name="maxRows"/> rows (0: all), then CommandComplete or PortalSuspended.</summary>
    private async Task RunPortalAsync(PgPortal portal, int maxRows, CancellationToken stopping)
    {
        switch (portal.Plan.Kind)
        {
            case PgPlanKind.Empty:
                _writer.Begin('I');
                _writer.End();
                return;
            case PgPlanKind.Command:
                portal.Plan.Apply?.Invoke();
                WriteCommandComplete(portal.Plan.Tag);
                return;
        }
        var reader = portal.Reader;
        var columns = portal.Columns!;
        var sent = 0;
        try
        {
            while (reader is not null)
            {
                bool more;
                using (WatchClient())
                {
                    more = reader.Read();
                }
                if (!more)
                {
                    break;
                }
                _writer.Begin('D');
                _writer.WriteInt16((short)columns.Length);
                for (var i = 0; i < columns.Length; i++)
                {
                    PgValueEncoder.Write(_writer, reader, i, columns[i], portal.Binary(i));
                }
                _writer.End();
                portal.RowCount++;
                sent++;
                if (_writer.ShouldFlush)
                {
                    await _writer.FlushAsync(stopping).ConfigureAwait(false);
                }
                if (maxRows > 0 && sent == maxRows)
                {
                    _writer.Begin('s');
                    _writer.End();
                    return;
                }
            }
        }
        catch (DuckDBException e)
        {
            portal.Finish();
            throw PgDuckDbErrors.Translate(e);
        }
        catch (OperationCanceledException e) when (!stopping.IsCancellationRequested)
        {
            // DuckDB.NET reports an interrupted query (CancelRequest, or the client gone) as a cancellation.
            portal.Finish();
            throw PgDuckDbErrors.Canceled(e);
        }
        portal.Finish();
        WriteCommandComplete(portal.Plan.Tag == "SELECT" ? $"SELECT {portal.RowCount}" : portal.Plan.Tag);
    }

    /// <summary>The columns of a statement not bound yet: DuckDB runs it with NULL parameters and no rows.</summary>
    private PgColumn[] DescribeStatement(PgPrepared prepared)
    {
        var plan = prepared.Plan;
        var typed = TypedNulls(plan.Sql, prepared.ParameterTypes);
        var sql = plan.Wrappable ? $"SELECT * FROM ({typed}\n) AS _sluice_describe LIMIT 0" : typed;
        var reader = Sql.Run(sql, new object?[PgSqlText.ParameterCount(PgSqlText.Tokens(sql))], out var command);
        try
        {
            return Columns(reader);
        }
        finally
        {
            reader.Dispose();
            command.Dispose();
            Sql.EndRun();
        }
    }

    /// <summary>
    /// <paramref name="sql"/> with each parameter of a declared type replaced by a NULL of that type, so DuckDB can
    /// resolve expressions such as <c>$1 + INTERVAL 10 MINUTE</c> without a value; undeclared ones stay parameters
    /// (bound to NULL, typed by their context).
    /// </summary>
    private static string TypedNulls(string sql, int[] types)
    {
        var text = new System.Text.StringBuilder(sql.Length + 32);
        var at = 0;
        foreach (var token in PgSqlText.Tokens(sql))
        {
            if (token.Kind != PgTokenKind.Parameter || !int.TryParse(token.Text.AsSpan(1), out var n) || n < 1 || n > types.Length
                || PgType.FromOid(types[n - 1]) is not { } kind)
            {
                continue;
            }
            text.Append(sql, at, token.Start - at).Append("CAST(NULL AS ").Append(PgType.DuckDbName(kind)).Append(')');
            at = token.Start + token.Text.Length;
        }
        return text.Append(sql, at, sql.Length - at).ToString();
    }

    private static PgColumn[] Columns(DbDataReader reader)
    {
        var columns = new PgColumn[reader.FieldCount];
        for (var i = 0; i < columns.Length; i++)
        {
            var clr = reader.GetFieldType(i);
            columns[i] = new PgColumn(reader.GetName(i), PgType.FromDuckDb(reader.GetDataTypeName(i), clr), clr);
        }
        return columns;
    }

    private void WriteRowDescription(PgColumn[] columns, short[] formats)
    {
        _writer.Begin('T');
        _writer.WriteInt16((short)columns.Length);
        for (var i = 0; i < columns.Length; i++)
        {
            _writer.WriteCString(columns[i].Name);
            _writer.WriteInt32(0);
            _writer.WriteInt16(0);
            _writer.WriteInt32(PgType.Oid(columns[i].Kind));
            _writer.WriteInt16(PgType.Length(columns[i].Kind));
            _writer.WriteInt32(-1);
            _writer.WriteInt16(PgPortal.Format(formats, i));
        }
        _writer.End();
    }

    private void WriteNoData()
    {
        _writer.Begin('n');
        _writer.End();
    }

    private void WriteCommandComplete(string tag)
    {
        _writer.Begin('C');
        _writer.WriteCString(tag);
        _writer.End();
    }

    private PgPrepared Prepared(string name) =>
        _statements.TryGetValue(name, out var prepared) ? prepared
            : throw new PgException(PgSqlState.InvalidStatementName, name.Length == 0 ? "unnamed prepared statement does not exist" : $"prepared statement \"{name}\" does not exist");

    private PgPortal Portal(string name) =>
        _portals.TryGetValue(name, out var portal) ? portal
            : throw new PgException(PgSqlState.InvalidCursorName, name.Length == 0 ? "unnamed portal does not exist" : $"portal \"{name}\" does not exist");

    private void ClosePortal(string name)
    {
        if (_portals.Remove(name, out var portal))
        {
            portal.Finish();
            portal.Dispose();
        }
    }

    private void ClosePortals()
    {
        foreach (var portal in _portals.Values)
        {
            portal.Finish();
            portal.Dispose();
        }
        _portals.Clear();
    }

    private void CloseAll()
    {
        ClosePortals();
        _statements.Clear();
    }

    /// <summary>
    /// While a query runs (DuckDB's Read blocks this task), checks the socket every 200 ms: a client that closed its
    /// end gets its query interrupted, so it stops using CPU and memory instead of running to the end.
    /// </summary>
    private Timer WatchClient() => new(static state =>
    {
        var connection = (PgConnection)state!;
        try
        {
            if (connection._socket.Poll(0, SelectMode.SelectRead) && connection._socket.Available == 0)
            {
                connection._sql?.Cancel();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            connection._sql?.Cancel();
        }
    }, this, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200));
}

/// <summary>A parsed statement: its plan, its parameters' type OIDs (0: unspecified), its result columns once described.</summary>
internal sealed class PgPrepared(PgStatementPlan plan, int[] parameterTypes)
{
    public PgStatementPlan Plan { get; } = plan;

    public int[] ParameterTypes { get; } = parameterTypes;

    public PgColumn[]? Columns { get; set; }
}
