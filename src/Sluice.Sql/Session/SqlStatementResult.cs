using System.Threading.Channels;
using Sluice.Schemas;
using Sluice.Sql.Runtime;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Session;

/// <summary>What executing one statement gave: a message, a table of text, a plan or a running job. Immutable, except the rows of a <see cref="SqlQueryResult"/>.</summary>
public abstract class SqlStatementResult
{
    private protected SqlStatementResult(SqlStatement statement) => Statement = statement;

    /// <summary>The statement executed.</summary>
    internal SqlStatement Statement { get; }
}

/// <summary>A statement that changed the session or the catalog (CREATE, DROP, SET 'k' = 'v', RESET): one sentence saying what it did.</summary>
public sealed class SqlMessageResult : SqlStatementResult
{
    internal SqlMessageResult(SqlStatement statement, string message) : base(statement) => Message = message;

    /// <summary>What the statement did, e.g. "Table 'bid' was created.".</summary>
    public string Message { get; }
}

/// <summary>A statement that lists something (SHOW, DESCRIBE, SET without a key): column names and rows of text.</summary>
public sealed class SqlTableResult : SqlStatementResult
{
    internal SqlTableResult(SqlStatement statement, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string>> rows) : base(statement)
    {
        Columns = columns;
        Rows = rows;
    }

    /// <summary>The column headers.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The rows; each has one value per column.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows { get; }
}

/// <summary>EXPLAIN: the plans, as text.</summary>
public sealed class SqlExplainResult : SqlStatementResult
{
    internal SqlExplainResult(SqlStatement statement, string plan) : base(statement) => Plan = plan;

    /// <summary>The logical and physical plans, as readable text.</summary>
    public string Plan { get; }
}

/// <summary>
/// INSERT or STATEMENT SET: the job that writes the rows, already running. Its completion (for bounded input) or
/// failure is <see cref="JobClient.Completion"/>; the caller owns the job and may cancel or stop it.
/// </summary>
public sealed class SqlJobResult : SqlStatementResult
{
    internal SqlJobResult(SqlStatement statement, JobClient job) : base(statement) => Job = job;

    /// <summary>The running job.</summary>
    public JobClient Job { get; }
}

/// <summary>
/// A SELECT: a running job whose result rows arrive as a changelog — <c>+I</c> rows for an append-only query, and
/// <c>-U</c>/<c>+U</c>/<c>-D</c> rows that retract or update earlier ones for an updating query (<see cref="Row.Kind"/>).
/// </summary>
/// <remarks>
/// <para>The rows are read once, by one reader, from <see cref="Rows"/> (or <see cref="ReadAllAsync"/>); the channel
/// completes when the job finishes (bounded input), and completes with the job's exception when it fails. A reader
/// that stops early should call <see cref="DisposeAsync"/>, which cancels the job. Rows belong to the reader.</para>
/// <para>The job's producer blocks when the channel is full (a bounded channel gives backpressure), so a reader that
/// does not read holds the job back rather than filling memory.</para>
/// </remarks>
public sealed class SqlQueryResult : SqlStatementResult, IAsyncDisposable
{
    private readonly Action? _abandon;

    internal SqlQueryResult(SqlStatement statement, Schema schema, JobClient job, ChannelReader<Row> rows, Action? abandon = null) : base(statement)
    {
        Schema = schema;
        Job = job;
        Rows = rows;
        _abandon = abandon;
    }

    /// <summary>
    /// Attaches <paramref name="rows"/> to a channel sink, starts the job of <paramref name="environment"/> and returns
    /// the result reading that channel, which completes when the job ends (with the job's exception when it fails, an
    /// <see cref="OperationCanceledException"/> when it was cancelled). For the planner.
    /// </summary>
    /// <param name="statement">The SELECT.</param>
    /// <param name="environment">The job, its sources and operators added.</param>
    /// <param name="rows">The query's rows, of <paramref name="schema"/>.</param>
    /// <param name="schema">The result's columns.</param>
    /// <param name="capacity">Rows the channel holds before the job waits for the reader.</param>
    internal static SqlQueryResult Start(SqlStatement statement, StreamEnvironment environment, DataStream<Row> rows, Schema schema, int capacity = 1024)
    {
        var sink = new QueryResultSink(capacity);
        rows.SinkTo(sink, "SqlQueryResult");
        var job = environment.Start();
        _ = job.Completion.ContinueWith(
            static (completion, state) => ((QueryResultSink)state!).Complete(
                completion.IsCanceled ? new OperationCanceledException("The query's job was cancelled.") : completion.Exception?.GetBaseException()),
            sink,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return new SqlQueryResult(statement, schema, job, sink.Reader, sink.Abandon);
    }

    /// <summary>The result's columns.</summary>
    public Schema Schema { get; }

    /// <summary>The running job.</summary>
    public JobClient Job { get; }

    /// <summary>The result rows, in the order the job produced them (one reader).</summary>
    public ChannelReader<Row> Rows { get; }

    /// <summary>The result rows as an async sequence; ends when the job finishes, throws when it fails.</summary>
    public IAsyncEnumerable<Row> ReadAllAsync(CancellationToken cancellationToken = default) => Rows.ReadAllAsync(cancellationToken);

    /// <summary>Cancels the job if it still runs and waits for it to end; never throws for the job's own failure.</summary>
    public async ValueTask DisposeAsync()
    {
        // Unblock the job's writers first: a writer waiting for room in the channel would hold the cancellation up.
        _abandon?.Invoke();
        Job.Cancel();
        try
        {
            await Job.Completion.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or JobExecutionException)
        {
            // Cancelled as asked, or already failed: the reader saw the failure through the channel.
        }
    }
}
