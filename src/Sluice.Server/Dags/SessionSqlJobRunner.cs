using System.Globalization;
using Sluice.Orchestration;
using Sluice.Sql;
using Sluice.Sql.Session;

namespace Sluice.Server.Dags;

/// <summary>
/// <see cref="ISqlJobRunner"/> on the SQL engine: a fresh <see cref="SqlSession"/> per attempt runs the statements as
/// <c>sluice sql -f</c> does (its INSERTs together as one job) and waits for the job to finish; cancelling cancels the
/// job. A statement error carries its line and column; a failed job its error. Thread-safe (nothing is shared).
/// </summary>
internal sealed class SessionSqlJobRunner(Func<SqlSession> createSession) : ISqlJobRunner
{
    public async Task RunAsync(string statements, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        var session = createSession();
        IEnumerator<SqlStatementResult> results;
        try
        {
            results = session.ExecuteEach(statements, insertsAsOneJob: true).GetEnumerator();
        }
        catch (SqlException e)
        {
            throw new InvalidOperationException($"statement error at {e.Describe(statements)}", e);
        }
        using (results)
        {
            // Cancellation is checked before each statement runs (a job starts inside MoveNext), and a started job's
            // cancel is registered before anything else: a token cancelled while it was being planned cancels it at once
            // (Register runs the callback synchronously then), so no job outlives its attempt unseen.
            while (!cancellationToken.IsCancellationRequested && Next(results, statements))
            {
                switch (results.Current)
                {
                    case SqlJobResult { Job: var job }:
                        using (cancellationToken.Register(job.Cancel))
                        {
                            try
                            {
                                await log.WriteLineAsync($"job '{job.JobName}' ({job.Id}) started").ConfigureAwait(false);
                                var result = await job.Completion.ConfigureAwait(false);
                                await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"job '{job.JobName}' finished: {result.SourceRecords} source record(s) in {result.Duration}")).ConfigureAwait(false);
                            }
                            catch (Exception) when (cancellationToken.IsCancellationRequested)
                            {
                                throw new OperationCanceledException($"job '{job.JobName}' was cancelled", cancellationToken);
                            }
                        }
                        break;
                    case SqlQueryResult query:
                        await query.DisposeAsync().ConfigureAwait(false);
                        throw new InvalidOperationException("a sql_job runs INSERT statements: a SELECT's rows would have nowhere to go (write them with INSERT INTO a sink table).");
                    case SqlMessageResult message:
                        await log.WriteLineAsync(message.Message).ConfigureAwait(false);
                        break;
                    default:
                        break;
                }
            }
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static bool Next(IEnumerator<SqlStatementResult> results, string statements)
    {
        try
        {
            return results.MoveNext();
        }
        catch (SqlException e)
        {
            throw new InvalidOperationException($"statement error at {e.Describe(statements)}", e);
        }
    }
}
