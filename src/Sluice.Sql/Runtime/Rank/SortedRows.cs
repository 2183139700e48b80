using Sluice.Schemas;
using Sluice.Sql.Planning;

namespace Sluice.Sql.Runtime;

/// <summary>
/// Operations on a list of rows kept in sort order, shared by the Top-N operators: where a new row goes (after its
/// ties, so ties keep arrival order) and the rank of each position. Stateless and thread-safe.
/// </summary>
internal static class SortedRows
{
    /// <summary>The position after every row of <paramref name="rows"/> that sorts before or ties with <paramref name="row"/>.</summary>
    public static int UpperBound(List<Row> rows, Row row, RowSortComparer order)
    {
        int low = 0, high = rows.Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (order.Compare(rows[mid], row) <= 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    /// <summary>Fills <paramref name="ranks"/> with the rank of each row of the sorted <paramref name="rows"/> under <paramref name="function"/>.</summary>
    public static void Ranks(List<Row> rows, RankFunction function, RowSortComparer order, List<long> ranks)
    {
        ranks.Clear();
        for (var i = 0; i < rows.Count; i++)
        {
            if (i == 0)
            {
                ranks.Add(1);
                continue;
            }
            var tie = function != RankFunction.RowNumber && order.Compare(rows[i - 1], rows[i]) == 0;
            ranks.Add(function switch
            {
                RankFunction.RowNumber => i + 1,
                RankFunction.Rank => tie ? ranks[i - 1] : i + 1,
                _ => tie ? ranks[i - 1] : ranks[i - 1] + 1,
            });
        }
    }
}
