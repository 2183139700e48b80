using Sluice.Schemas;
using Sluice.Sql.Planning;

namespace Sluice.Sql.Runtime;

/// <summary>
/// A Top-N: <c>SELECT * FROM (SELECT *, f() OVER (PARTITION BY p ORDER BY s) AS rn FROM t) WHERE rn BETWEEN
/// RankStart AND RankEnd</c>, run by <see cref="RankOperator"/>. Immutable.
/// </summary>
/// <param name="Input">The input schema.</param>
/// <param name="PartitionKeys">The PARTITION BY fields, by index; empty for one global partition.</param>
/// <param name="SortKeys">The ORDER BY keys.</param>
/// <param name="Function">The ranking function.</param>
/// <param name="RankStart">The first rank kept (≥ 1).</param>
/// <param name="RankEnd">The last rank kept (≥ <paramref name="RankStart"/>).</param>
/// <param name="OutputRankNumber">Whether the output has the rank as a last BIGINT NOT NULL field.</param>
/// <param name="InputInsertOnly">
/// Whether the input is insert-only: then only rows that can still be in the range are kept (a row pushed past
/// <paramref name="RankEnd"/> can never come back). Otherwise every row is kept, since a retraction may move rows up.
/// </param>
internal sealed record RankSpec(
    Schema Input, IReadOnlyList<int> PartitionKeys, IReadOnlyList<SortKey> SortKeys, RankFunction Function,
    long RankStart, long RankEnd, bool OutputRankNumber, bool InputInsertOnly)
{
    /// <summary>The name of the rank field when <see cref="OutputRankNumber"/> (default <c>rn</c>).</summary>
    public string RankFieldName { get; init; } = "rn";

    /// <summary><c>table.exec.state.ttl</c>: a partition's rows are forgotten this long (processing time) after its last change; null keeps them.</summary>
    public TimeSpan? StateTtl { get; init; }

    /// <summary>The output schema: the input's fields, then <see cref="RankFieldName"/> BIGINT NOT NULL when <see cref="OutputRankNumber"/>.</summary>
    public Schema Output => OutputRankNumber ? new Schema([.. Input, new Field(RankFieldName, DataType.BigInt.NotNull())]) : Input;

    /// <summary>Checks the spec.</summary>
    /// <exception cref="ArgumentException">A bad range, sort key or partition field.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Input);
        ArgumentNullException.ThrowIfNull(PartitionKeys);
        _ = new RowSortComparer(Input, SortKeys);
        if (RankStart < 1 || RankEnd < RankStart)
        {
            throw new ArgumentException($"A Top-N keeps ranks {RankStart} to {RankEnd}; the range must start at 1 or later and not end before it starts.", nameof(RankStart));
        }
        foreach (var key in PartitionKeys)
        {
            JoinRows.CheckIndex(Input, key, "ranked");
        }
        if (OutputRankNumber && Input.IndexOf(RankFieldName) >= 0)
        {
            throw new ArgumentException($"The input already has a field '{RankFieldName}'; name the rank field differently.", nameof(RankFieldName));
        }
    }
}
