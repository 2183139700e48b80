using Sluice.Schemas;
using Sluice.Sql.Planning;

namespace Sluice.Sql.Runtime;

/// <summary>
/// A window Top-N: <c>f() OVER (PARTITION BY window_start, window_end, p ORDER BY s) BETWEEN RankStart AND
/// RankEnd</c> over a window TVF output (insert-only), run by <see cref="WindowRankOperator"/>. Immutable.
/// </summary>
/// <param name="Input">The input schema.</param>
/// <param name="PartitionKeys">The PARTITION BY fields other than the window columns, by index; may be empty.</param>
/// <param name="WindowStartField">The <c>window_start</c> field (TIMESTAMP or TIMESTAMP_LTZ).</param>
/// <param name="WindowEndField">The <c>window_end</c> field.</param>
/// <param name="SortKeys">The ORDER BY keys.</param>
/// <param name="Function">The ranking function.</param>
/// <param name="RankStart">The first rank kept (≥ 1).</param>
/// <param name="RankEnd">The last rank kept.</param>
/// <param name="OutputRankNumber">Whether the output has the rank as a last BIGINT NOT NULL field.</param>
internal sealed record WindowRankSpec(
    Schema Input, IReadOnlyList<int> PartitionKeys, int WindowStartField, int WindowEndField, IReadOnlyList<SortKey> SortKeys,
    RankFunction Function, long RankStart, long RankEnd, bool OutputRankNumber)
{
    /// <summary>The name of the rank field when <see cref="OutputRankNumber"/> (default <c>rn</c>).</summary>
    public string RankFieldName { get; init; } = "rn";

    /// <summary>Where rows of windows that already fired go; null drops them (as Flink does).</summary>
    public OutputTag<Row>? LateRows { get; init; }

    /// <summary>The output schema: the input's fields, then <see cref="RankFieldName"/> BIGINT NOT NULL when <see cref="OutputRankNumber"/>.</summary>
    public Schema Output => AsRankSpec().Output;

    /// <summary>Checks the spec.</summary>
    /// <exception cref="ArgumentException">A bad range, sort key, partition or window field.</exception>
    public void Validate()
    {
        AsRankSpec().Validate();
        JoinRows.CheckTimeField(Input, WindowStartField, "ranked", "window_start");
        JoinRows.CheckTimeField(Input, WindowEndField, "ranked", "window_end");
    }

    internal RankSpec AsRankSpec() =>
        new(Input, PartitionKeys, SortKeys, Function, RankStart, RankEnd, OutputRankNumber, InputInsertOnly: true) { RankFieldName = RankFieldName };
}
