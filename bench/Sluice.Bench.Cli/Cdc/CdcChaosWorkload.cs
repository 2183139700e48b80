using System.Globalization;
using Npgsql;
using Sluice.Examples;

namespace Sluice.Bench.Cli.Cdc;

/// <summary>Settings of the CDC kill harness's workload.</summary>
/// <param name="ConnectionString">The source database.</param>
/// <param name="Changes">Committed row changes to make (inserts, updates, deletes; rolled-back ones do not count).</param>
/// <param name="Writers">Concurrent writers, each with its own connection and its own keys.</param>
/// <param name="RollbackPercent">The share of transactions rolled back instead of committed (0 to 100).</param>
/// <param name="ChangesPerSecond">A cap on the rate of statements over all writers; 0 = as fast as PostgreSQL goes.</param>
/// <param name="Seed">Seed of the writers' random choices.</param>
internal sealed record CdcChaosWorkloadOptions(string ConnectionString, int Changes, int Writers, int RollbackPercent, int ChangesPerSecond, int Seed);

/// <summary>What the workload did: committed changes by kind, and transactions committed and rolled back.</summary>
internal sealed record CdcChaosWorkloadResult(long Inserts, long Updates, long Deletes, long Committed, long RolledBack, double Seconds)
{
    /// <summary>Committed row changes.</summary>
    public long Changes => Inserts + Updates + Deletes;
}

/// <summary>
/// The CDC kill harness's workload: concurrent writers run random transactions of 1 to 8 statements — inserts, updates
/// and deletes over the three tables of <see cref="CdcChaosTables"/> — and commit them, or roll a share of them back,
/// until <see cref="CdcChaosWorkloadOptions.Changes"/> row changes were committed. Each writer owns the keys congruent
/// to its index modulo the writer count, so writers never wait on each other's rows, while their commits interleave in
/// the WAL of all three tables. Deterministic per writer for a seed (not across writers: commit order is the server's).
/// </summary>
internal sealed class CdcChaosWorkload(CdcChaosWorkloadOptions options)
{
    private static readonly DateTime s_baseTime = new(2026, 12, 6, 0, 0, 0, DateTimeKind.Unspecified);
    private static readonly string[] s_statuses = ["new", "paid", "packed", "shipped", "returned"];
    private readonly CdcChaosWorkloadOptions _options = options;
    private long _inserts;
    private long _updates;
    private long _deletes;
    private long _committed;
    private long _rolledBack;

    /// <summary>Committed row changes so far; any thread.</summary>
    public long Changes => Interlocked.Read(ref _inserts) + Interlocked.Read(ref _updates) + Interlocked.Read(ref _deletes);

    /// <summary>
    /// Creates the three tables in the source database and fills each with <paramref name="rowsPerTable"/> rows (the
    /// initial snapshot's), keys 0 to n-1 (writer <c>key mod writers</c> owns each).
    /// </summary>
    public static void CreateTables(string connectionString, int rowsPerTable)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        foreach (var table in CdcChaosTables.All)
        {
            Execute(connection, table.CreateSql);
        }
        var n = rowsPerTable.ToString(CultureInfo.InvariantCulture);
        Execute(connection, $"INSERT INTO customers SELECT i, 'customer-' || i, (i % 5)::integer, i % 2 = 0 FROM generate_series(0, {n} - 1) i");
        Execute(connection, $"INSERT INTO orders SELECT i, i % 97, (i % 400) * 0.25, 'new', TIMESTAMP '2026-12-06' + i * INTERVAL '1 microsecond' FROM generate_series(0, {n} - 1) i");
        Execute(connection, $"INSERT INTO order_lines SELECT i, 1, 'sku-' || (i % 50), 1 FROM generate_series(0, {n} - 1) i");
    }

    /// <summary>Runs the writers until the committed changes reach the target; returns what they did.</summary>
    /// <param name="initialRows">Rows per table <see cref="CreateTables"/> wrote (the writers update and delete them too).</param>
    /// <param name="cancellationToken">Stops the writers early (their open transactions roll back).</param>
    public async Task<CdcChaosWorkloadResult> RunAsync(int initialRows, CancellationToken cancellationToken)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var pacer = _options.ChangesPerSecond > 0 ? new RecordPacer(_options.ChangesPerSecond) : null;
        var writers = new Task[_options.Writers];
        for (var w = 0; w < writers.Length; w++)
        {
            var writer = new Writer(this, w, initialRows, pacer);
            writers[w] = Task.Run(() => writer.RunAsync(cancellationToken), cancellationToken);
        }
        await Task.WhenAll(writers).ConfigureAwait(false);
        return new CdcChaosWorkloadResult(_inserts, _updates, _deletes, _committed, _rolledBack, watch.Elapsed.TotalSeconds);
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>One writer: its connection, its random source, and the keys it owns that exist (as of its last commit).</summary>
    private sealed class Writer
    {
        private readonly CdcChaosWorkload _workload;
        private readonly int _index;
        private readonly int _writers;
        private readonly Random _random;
        private readonly RecordPacer? _pacer;
        private readonly List<long> _customers = [];
        private readonly List<long> _orders = [];
        private readonly List<(long Order, int Line)> _lines = [];
        private long _nextKey; // the next key of this writer: _nextKey * writers + index

        public Writer(CdcChaosWorkload workload, int index, int initialRows, RecordPacer? pacer)
        {
            _workload = workload;
            _index = index;
            _writers = workload._options.Writers;
            _random = new Random(workload._options.Seed * 1_000 + index);
            _pacer = pacer;
            for (long key = index; key < initialRows; key += _writers)
            {
                _customers.Add(key);
                _orders.Add(key);
                _lines.Add((key, 1));
            }
            _nextKey = (initialRows / _writers) + 1;
        }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var connection = new NpgsqlConnection(_workload._options.ConnectionString);
            await using (connection.ConfigureAwait(false))
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                while (_workload.Changes < _workload._options.Changes)
                {
                    await RunTransactionAsync(connection, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private async Task RunTransactionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                // Key-set changes apply to the writer's lists only once the transaction commits.
                var added = new List<Action>();
                long inserts = 0, updates = 0, deletes = 0;
                var statements = _random.Next(1, 9);
                for (var s = 0; s < statements; s++)
                {
                    _pacer?.Wait();
                    var (kind, affected) = await RunStatementAsync(connection, transaction, added, cancellationToken).ConfigureAwait(false);
                    switch (kind)
                    {
                        case 'i':
                            inserts += affected;
                            break;
                        case 'u':
                            updates += affected;
                            break;
                        default:
                            deletes += affected;
                            break;
                    }
                }
                if (_random.Next(100) < _workload._options.RollbackPercent)
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref _workload._rolledBack);
                    return;
                }
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                foreach (var apply in added)
                {
                    apply();
                }
                Interlocked.Add(ref _workload._inserts, inserts);
                Interlocked.Add(ref _workload._updates, updates);
                Interlocked.Add(ref _workload._deletes, deletes);
                Interlocked.Increment(ref _workload._committed);
            }
        }

        /// <summary>One random insert, update or delete; returns its kind (<c>i</c>, <c>u</c>, <c>d</c>) and the rows it changed.</summary>
        private async Task<(char Kind, int Affected)> RunStatementAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<Action> onCommit, CancellationToken cancellationToken)
        {
            var table = _random.Next(3);
            var count = table switch { 0 => _customers.Count, 1 => _orders.Count, _ => _lines.Count };
            var roll = count == 0 ? 0 : _random.Next(100);
            using var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
            char kind;
            if (roll < 45)
            {
                kind = 'i';
                var key = (_nextKey++ * _writers) + _index;
                switch (table)
                {
                    case 0:
                        command.CommandText = "INSERT INTO customers VALUES ($1, $2, $3, $4)";
                        Add(command, key, $"customer-{key}-{_random.Next(1000)}", _random.Next(10) == 0 ? DBNull.Value : _random.Next(5), _random.Next(2) == 0);
                        onCommit.Add(() => _customers.Add(key));
                        break;
                    case 1:
                        command.CommandText = "INSERT INTO orders VALUES ($1, $2, $3, $4, $5)";
                        Add(command, key, (long)_random.Next(0, 500), _random.Next(0, 40_000) * 0.25, s_statuses[_random.Next(s_statuses.Length)], Timestamp());
                        onCommit.Add(() => _orders.Add(key));
                        break;
                    default:
                        var line = _random.Next(1, 4);
                        command.CommandText = "INSERT INTO order_lines VALUES ($1, $2, $3, $4)";
                        Add(command, key, line, _random.Next(8) == 0 ? DBNull.Value : $"sku-{_random.Next(200)}", _random.Next(1, 10));
                        onCommit.Add(() => _lines.Add((key, line)));
                        break;
                }
            }
            else if (roll < 80)
            {
                kind = 'u';
                switch (table)
                {
                    case 0:
                        command.CommandText = "UPDATE customers SET tier = $2, active = NOT active WHERE id = $1";
                        Add(command, _customers[_random.Next(count)], _random.Next(10) == 0 ? DBNull.Value : _random.Next(5));
                        break;
                    case 1:
                        command.CommandText = "UPDATE orders SET amount = amount + $2, status = $3, updated_at = $4 WHERE id = $1";
                        Add(command, _orders[_random.Next(count)], _random.Next(1, 100) * 0.25, s_statuses[_random.Next(s_statuses.Length)], Timestamp());
                        break;
                    default:
                        var (order, line) = _lines[_random.Next(count)];
                        command.CommandText = "UPDATE order_lines SET quantity = quantity + 1, sku = $3 WHERE order_id = $1 AND line = $2";
                        Add(command, order, line, $"sku-{_random.Next(200)}");
                        break;
                }
            }
            else
            {
                kind = 'd';
                var index = _random.Next(count);
                switch (table)
                {
                    case 0:
                        var customer = _customers[index];
                        command.CommandText = "DELETE FROM customers WHERE id = $1";
                        Add(command, customer);
                        onCommit.Add(() => _customers.Remove(customer));
                        break;
                    case 1:
                        var order = _orders[index];
                        command.CommandText = "DELETE FROM orders WHERE id = $1";
                        Add(command, order);
                        onCommit.Add(() => _orders.Remove(order));
                        break;
                    default:
                        var key = _lines[index];
                        command.CommandText = "DELETE FROM order_lines WHERE order_id = $1 AND line = $2";
                        Add(command, key.Order, key.Line);
                        onCommit.Add(() => _lines.Remove(key));
                        break;
                }
            }
            var affected = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return (kind, affected);
        }

        private DateTime Timestamp() => s_baseTime.AddTicks(_random.NextInt64(0, TimeSpan.TicksPerDay) / 10 * 10); // whole microseconds

        private static void Add(NpgsqlCommand command, params object[] values)
        {
            foreach (var value in values)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            }
        }
    }
}
