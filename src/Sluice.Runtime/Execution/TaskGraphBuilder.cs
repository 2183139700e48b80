using Sluice.Runtime.Planning;
using Sluice.Runtime.Tasks;
using Sluice.Runtime.Transport;

namespace Sluice.Runtime.Execution;

/// <summary>Instantiates a plan: one gate per task, every exchange channel, then each chain's operators.</summary>
internal static class TaskGraphBuilder
{
    /// <summary>Builds one attempt's tasks; <c>jobId</c> goes to every operator's context and task (the default id in test drivers).</summary>
    public static List<StreamTask> Build(JobPlan plan, bool bounded, CancellationToken cancellation, Action? wakeScheduler,
        Checkpointing.RestoredCheckpoint? restore = null, JobId jobId = default)
    {
        var options = plan.Options;
        var gates = new Dictionary<(PlanNode, int), InputGate>();
        var times = new Dictionary<(PlanNode, int), ProcessingTimeService>();
        foreach (var node in plan.Nodes)
        {
            if (!node.IsChainHead)
            {
                continue;
            }
            for (var s = 0; s < node.Parallelism; s++)
            {
                var gate = new InputGate(bounded, cancellation, wakeScheduler);
                gates[(node, s)] = gate;
                times[(node, s)] = new ProcessingTimeService(options.TimeProvider, gate.WakeUp);
            }
        }
        var channels = new ChannelDirectory();
        foreach (var node in plan.Nodes)
        {
            foreach (var edge in node.Outputs)
            {
                if (!edge.Chained)
                {
                    channels.Add(edge, d => gates[(edge.Target, d)], options.ChannelCapacity);
                }
            }
        }
        var tasks = new List<StreamTask>();
        foreach (var node in plan.Nodes)
        {
            if (!node.IsChainHead)
            {
                continue;
            }
            for (var s = 0; s < node.Parallelism; s++)
            {
                var builder = new TaskBuilder(options, s, gates[(node, s)], times[(node, s)], channels, restore) { JobId = jobId };
                var head = node.Factory.Build(builder, node);
                var name = node.Name;
                tasks.Add(new StreamTask(name, s, builder.Gate, builder.Time, builder.Operators, builder.Exchanges, head, node.Factory.CreateDispatchers(head))
                {
                    JobName = options.JobName,
                    JobId = jobId,
                });
            }
        }
        return tasks;
    }
}
