namespace Sluice;

/// <summary>
/// Where one task's wall-clock time went since the job's current attempt started (<see cref="JobClient.GetTaskTimes"/>):
/// busy processing, backpressured (blocked on a full output channel, so a downstream task is the bottleneck) or idle
/// (waiting for input, timers or a trigger). The three add up to the task's running time. Read while the task runs, so
/// current but not one consistent cut.
/// </summary>
/// <param name="Task">The task's name (its chained operators).</param>
/// <param name="Subtask">The subtask index.</param>
/// <param name="Operators">The uids of the operators chained in the task, upstream first (as in <see cref="OperatorMetrics.Uid"/>).</param>
/// <param name="Busy">Time spent processing.</param>
/// <param name="Backpressured">Time blocked on a full output channel.</param>
/// <param name="Idle">Time waiting for input, timers or a trigger.</param>
public sealed record TaskTimes(string Task, int Subtask, IReadOnlyList<string> Operators, TimeSpan Busy, TimeSpan Backpressured, TimeSpan Idle)
{
    /// <summary>The share of the running time spent backpressured, 0 to 1 (0 before any time was measured).</summary>
    public double BackpressuredRatio
    {
        get
        {
            var total = Busy + Backpressured + Idle;
            return total <= TimeSpan.Zero ? 0 : Backpressured / total;
        }
    }
}
