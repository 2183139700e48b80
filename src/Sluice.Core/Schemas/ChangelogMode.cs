namespace Sluice.Schemas;

/// <summary>
/// Which <see cref="RowKind"/>s a stream of rows carries, or a sink accepts — as Flink's <c>ChangelogMode</c>, cut to
/// the three modes its planner uses. A source or operator declares the mode it produces; a sink (through its
/// connector factory) declares the mode it accepts, and the planner rejects a query whose changelog the sink cannot
/// take (<see cref="ChangelogModes.Accepts"/>), naming the operator that produces the updates.
/// </summary>
/// <remarks>The byte values are stable (they may appear in plans written as data).</remarks>
public enum ChangelogMode : byte
{
    /// <summary>Only <c>+I</c> rows: an append-only stream, or a sink that appends every row it receives.</summary>
    InsertOnly = 0,

    /// <summary>
    /// <c>+I</c>, <c>+U</c> and <c>-D</c> rows identified by a key (no <c>-U</c>): each row replaces the current row of
    /// its key, a delete removes it. An upsert sink needs a primary key; given an <see cref="All"/> stream it ignores
    /// the <c>-U</c> rows, which the following <c>+U</c> supersedes.
    /// </summary>
    Upsert = 1,

    /// <summary>Every kind, <c>+I</c>, <c>-U</c>, <c>+U</c> and <c>-D</c>: a retracting changelog, which needs no key.</summary>
    All = 2,
}

/// <summary>Questions about <see cref="ChangelogMode"/>s, for planners and sinks. Pure functions; thread-safe.</summary>
public static class ChangelogModes
{
    /// <summary>Whether a stream of <paramref name="mode"/> may carry rows of <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a defined mode.</exception>
    public static bool Contains(this ChangelogMode mode, RowKind kind) => mode switch
    {
        ChangelogMode.InsertOnly => kind == RowKind.Insert,
        ChangelogMode.Upsert => kind != RowKind.UpdateBefore,
        ChangelogMode.All => true,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a changelog mode."),
    };

    /// <summary>
    /// Whether a sink accepting <paramref name="accepted"/> can write a stream that produces <paramref name="produced"/>:
    /// an insert-only sink takes insert-only streams only; an upsert sink takes any stream (dropping <c>-U</c> rows,
    /// since it applies rows by key); a sink taking <see cref="ChangelogMode.All"/> takes any stream.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A mode is not a defined mode.</exception>
    public static bool Accepts(this ChangelogMode accepted, ChangelogMode produced)
    {
        if (produced is not (ChangelogMode.InsertOnly or ChangelogMode.Upsert or ChangelogMode.All))
        {
            throw new ArgumentOutOfRangeException(nameof(produced), produced, "Not a changelog mode.");
        }
        return accepted switch
        {
            ChangelogMode.InsertOnly => produced == ChangelogMode.InsertOnly,
            ChangelogMode.Upsert or ChangelogMode.All => true,
            _ => throw new ArgumentOutOfRangeException(nameof(accepted), accepted, "Not a changelog mode."),
        };
    }

    /// <summary>
    /// Fails when a sink accepting <paramref name="accepted"/> cannot write a stream producing <paramref name="produced"/>
    /// (see <see cref="Accepts"/>), with one sentence naming the sink table and the operator producing the updates —
    /// the planner's check of an updating query into an append-only sink.
    /// </summary>
    /// <param name="accepted">What the sink accepts (its factory's <c>SinkChangelogMode</c>).</param>
    /// <param name="produced">What the query writing into it produces.</param>
    /// <param name="sinkTable">The sink table, for the message.</param>
    /// <param name="producingOperator">The operator whose output makes the stream updating (e.g. <c>GroupAggregate(user_id)</c>).</param>
    /// <exception cref="NotSupportedException">The sink cannot take the stream.</exception>
    public static void EnsureAccepts(this ChangelogMode accepted, ChangelogMode produced, string sinkTable, string producingOperator)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sinkTable);
        ArgumentException.ThrowIfNullOrWhiteSpace(producingOperator);
        if (!accepted.Accepts(produced))
        {
            throw new NotSupportedException(
                $"Table '{sinkTable}' is an append-only sink, but {producingOperator} produces an updating changelog ({Describe(produced)}); write it into an upsert sink (a table with a PRIMARY KEY on 'upsert-kafka' or 'duckdb'), or make the query append-only.");
        }
    }

    /// <summary>The row kinds of <paramref name="mode"/> in Flink's notation: <c>[+I]</c>, <c>[+I, +U, -D]</c>, <c>[+I, -U, +U, -D]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a defined mode.</exception>
    public static string Describe(this ChangelogMode mode) => mode switch
    {
        ChangelogMode.InsertOnly => "[+I]",
        ChangelogMode.Upsert => "[+I, +U, -D]",
        ChangelogMode.All => "[+I, -U, +U, -D]",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a changelog mode."),
    };
}
