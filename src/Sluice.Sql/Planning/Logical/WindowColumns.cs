namespace Sluice.Sql.Planning;

/// <summary>
/// Finds the <c>window_start</c> and <c>window_end</c> columns of one event-time window in a node's output, as Flink's
/// window properties do: the columns a window TVF or a window aggregate adds, carried unchanged through Calcs. The
/// window Top-N, deduplication and join specializations need them. Stateless.
/// </summary>
internal static class WindowColumns
{
    /// <summary>
    /// The <c>window_start</c> and <c>window_end</c> fields of <paramref name="node"/>'s output, with their window, when
    /// both come from one event-time window TVF or window aggregate (through Calcs that pass them on); null otherwise.
    /// </summary>
    public static (int Start, int End, WindowSpec Window)? Find(LogicalNode node)
    {
        switch (node)
        {
            case WindowTableFunctionNode tvf when !tvf.Window.IsProcessingTime && tvf.Window.Kind != WindowKind.Session:
                return (tvf.WindowStartField, tvf.WindowStartField + 1, tvf.Window);
            case WindowAggregateNode aggregate when !aggregate.Window.IsProcessingTime:
                var start = aggregate.PropertyIndex(WindowProperty.Start);
                var end = aggregate.PropertyIndex(WindowProperty.End);
                return start >= 0 && end >= 0 ? (start, end, aggregate.Window) : null;
            case CalcNode calc when Find(calc.Input) is { } below:
                var (newStart, newEnd) = (-1, -1);
                for (var i = 0; i < calc.Projections.Count; i++)
                {
                    if (calc.Projections[i] is Expressions.InputReference reference)
                    {
                        if (reference.Index == below.Start && newStart < 0)
                        {
                            newStart = i;
                        }
                        else if (reference.Index == below.End && newEnd < 0)
                        {
                            newEnd = i;
                        }
                    }
                }

                return newStart >= 0 && newEnd >= 0 ? (newStart, newEnd, below.Window) : null;
            default:
                return null;
        }
    }
}
