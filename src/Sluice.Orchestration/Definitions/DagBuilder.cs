using System.Text.RegularExpressions;

namespace Sluice.Orchestration.Definitions;

/// <summary>
/// Builds a <see cref="DagDefinition"/> in C# — the same immutable, validated definition the YAML loader makes.
/// <code>
/// var dag = new DagBuilder("daily_orders")
///     .Schedule("0 2 * * *", "Europe/Amsterdam").StartDate(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero))
///     .Task("extract", new ShellAction("./extract.sh {{ ds }}"), t => t.Retries(3, TimeSpan.FromSeconds(30)))
///     .Task("build", new ModelsAction("warehouse") { Select = ["orders+"] }, t => t.DependsOn("extract"))
///     .Build();
/// </code>
/// Not thread-safe; <see cref="Build"/> validates and may be called again after further changes.
/// </summary>
public sealed partial class DagBuilder
{
    /// <summary>
    /// The longest task timeout: 49 days, under the longest timer .NET runs (2^32 − 2 ms, about 49.7 days).
    /// </summary>
    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(49);

    /// <summary>The longest retry delay, poke interval and SLA: 365 days (keeps every deadline a valid date).</summary>
    internal static readonly TimeSpan MaxDelay = TimeSpan.FromDays(365);

    private readonly string _id;
    private readonly List<TaskDefinition> _tasks = [];
    private readonly Dictionary<string, string> _params = new(StringComparer.Ordinal);
    private DagSchedule _schedule = DagSchedule.Manual;
    private DateTimeOffset? _startDate;
    private DateTimeOffset? _endDate;
    private bool _catchUp;
    private int _maxActiveRuns = 1;
    private TimeSpan? _sla;
    private Uri? _slaWebhook;

    /// <summary>Starts a DAG named <paramref name="id"/> (manual schedule, start date the Unix epoch unless set).</summary>
    public DagBuilder(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        _id = id;
    }

    /// <summary>The file named in error messages, or null.</summary>
    public string? SourceFile { get; init; }

    /// <summary>The zone of the schedule set so far (UTC by default).</summary>
    public TimeZoneInfo TimeZone => _schedule.TimeZone;

    /// <summary>Sets the cron schedule (null or empty: manual) in <paramref name="timeZoneId"/>; throws <see cref="FormatException"/> on a bad cron or zone.</summary>
    public DagBuilder Schedule(string? cron, string? timeZoneId = null)
    {
        _schedule = string.IsNullOrWhiteSpace(cron) || cron is "manual" or "none"
            ? DagSchedule.ManualIn(timeZoneId)
            : DagSchedule.Parse(cron, timeZoneId);
        return this;
    }

    /// <summary>Sets the start date.</summary>
    public DagBuilder StartDate(DateTimeOffset start)
    {
        _startDate = start;
        return this;
    }

    /// <summary>Sets the end date (no interval starts at or after it).</summary>
    public DagBuilder EndDate(DateTimeOffset end)
    {
        _endDate = end;
        return this;
    }

    /// <summary>Turns catch-up on or off (off by default).</summary>
    public DagBuilder CatchUp(bool on)
    {
        _catchUp = on;
        return this;
    }

    /// <summary>Sets the maximum of queued and running runs (≥ 1).</summary>
    public DagBuilder MaxActiveRuns(int runs)
    {
        _maxActiveRuns = runs;
        return this;
    }

    /// <summary>Sets the SLA (and the webhook an SLA miss is POSTed to, if any).</summary>
    public DagBuilder Sla(TimeSpan sla, Uri? webhook = null)
    {
        _sla = sla;
        _slaWebhook = webhook;
        return this;
    }

    /// <summary>
    /// Keeps a DAG file's <c>sla_webhook</c> given without an <c>sla</c>: files that said so loaded before, so they still
    /// load; the webhook is never called and the scheduler warns about it.
    /// </summary>
    internal DagBuilder UnusedSlaWebhook(Uri webhook)
    {
        _slaWebhook = webhook;
        return this;
    }

    /// <summary>Sets <c>{{ params.<paramref name="name"/> }}</c>.</summary>
    public DagBuilder Param(string name, string value)
    {
        _params[name] = value;
        return this;
    }

    /// <summary>Adds a task; <paramref name="configure"/> sets its dependencies and controls.</summary>
    public DagBuilder Task(string id, TaskAction action, Action<TaskBuilder>? configure = null)
    {
        var task = new TaskBuilder(id, action);
        configure?.Invoke(task);
        _tasks.Add(task.Build());
        return this;
    }

    /// <summary>Validates and returns the definition; throws <see cref="DagDefinitionException"/> naming the file, line, DAG and task of the first problem.</summary>
    public DagDefinition Build()
    {
        var file = SourceFile ?? "(code)";
        if (!IdPattern().IsMatch(_id))
        {
            throw new DagDefinitionException($"{file}:1: DAG id '{_id}' may hold only letters, digits, '_', '-' and '.' (not only dots).");
        }
        string At(TaskDefinition t) => $"{file}:{Math.Max(1, t.Line)}";
        var dag = new DagDefinition
        {
            Id = _id,
            Schedule = _schedule,
            StartDate = _startDate ?? DateTimeOffset.UnixEpoch,
            EndDate = _endDate,
            CatchUp = _catchUp,
            MaxActiveRuns = _maxActiveRuns,
            Sla = _sla,
            SlaWebhook = _slaWebhook,
            Params = new Dictionary<string, string>(_params, StringComparer.Ordinal),
            Tasks = [.. _tasks],
            SourceFile = SourceFile,
        };
        if (_maxActiveRuns < 1)
        {
            throw new DagDefinitionException($"{file}:1: DAG '{_id}': max_active_runs must be at least 1, not {_maxActiveRuns}.");
        }
        if (_sla is { } sla && (sla < TimeSpan.Zero || sla > MaxDelay))
        {
            throw new DagDefinitionException($"{file}:1: DAG '{_id}': the SLA must lie between 0 and {MaxDelay.TotalDays:0} days, not {sla}.");
        }
        if (_slaWebhook is { } hook && (!hook.IsAbsoluteUri || (hook.Scheme != Uri.UriSchemeHttp && hook.Scheme != Uri.UriSchemeHttps)))
        {
            throw new DagDefinitionException($"{file}:1: DAG '{_id}': the SLA webhook must be an absolute http:// or https:// URL.");
        }
        if (_tasks.Count == 0)
        {
            throw new DagDefinitionException($"{file}:1: DAG '{_id}' has no tasks.");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in _tasks)
        {
            if (!IdPattern().IsMatch(task.Id))
            {
                throw new DagDefinitionException($"{At(task)}: DAG '{_id}', task '{task.Id}': a task id may hold only letters, digits, '_', '-' and '.' (not only dots).");
            }
            if (!ids.Add(task.Id))
            {
                throw new DagDefinitionException($"{At(task)}: DAG '{_id}', task '{task.Id}': the id is used by another task of the DAG.");
            }
        }
        foreach (var task in _tasks)
        {
            foreach (var upstream in task.DependsOn)
            {
                if (!ids.Contains(upstream))
                {
                    throw new DagDefinitionException($"{At(task)}: DAG '{_id}', task '{task.Id}': depends_on names '{upstream}', which is not a task of the DAG.");
                }
            }
            var c = task.Controls;
            // '!(x >= 1)' also refuses NaN; +∞ is allowed (the first retry waits retry_delay, every later one the max
            // delay). The upper bounds keep timers and deadlines from overflowing.
            if (c.Retries < 0 || !(c.BackoffFactor >= 1) || c.RetryDelay < TimeSpan.Zero || c.MaxRetryDelay < TimeSpan.Zero
                || c.RetryDelay > MaxDelay || c.MaxRetryDelay > MaxDelay || c.Timeout <= TimeSpan.Zero || c.Timeout > MaxTimeout)
            {
                throw new DagDefinitionException($"{At(task)}: DAG '{_id}', task '{task.Id}': retries must be ≥ 0, retry_backoff a number ≥ 1, " +
                    $"delays between 0 and {MaxDelay.TotalDays:0} days and timeout above 0 and at most {MaxTimeout.TotalDays:0} days.");
            }
            if (task.Action is SensorAction { PokeInterval: var poke } && (poke <= TimeSpan.Zero || poke > MaxDelay))
            {
                throw new DagDefinitionException($"{At(task)}: DAG '{_id}', task '{task.Id}': poke_interval must be positive and at most {MaxDelay.TotalDays:0} days.");
            }
            if (task.Action.Problem() is { } problem)
            {
                throw new DagDefinitionException($"{At(task)}: DAG '{_id}', task '{task.Id}': {problem}");
            }
            TaskTemplates.Validate(dag, task, At(task));
        }
        if (FindCycle(dag) is { } cycle)
        {
            var first = dag.GetTask(cycle[0]);
            throw new DagDefinitionException($"{At(first)}: DAG '{_id}', task '{first.Id}': the dependencies form a cycle ({string.Join(" -> ", cycle)}).");
        }
        return dag;
    }

    /// <summary>A cycle as task ids (first repeated at the end), or null.</summary>
    private static List<string>? FindCycle(DagDefinition dag)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new List<string>();
        List<string>? Visit(string id)
        {
            state[id] = 1;
            stack.Add(id);
            foreach (var upstream in dag.GetTask(id).DependsOn)
            {
                if (state.GetValueOrDefault(upstream) == 1)
                {
                    var cycle = stack[stack.IndexOf(upstream)..];
                    cycle.Add(upstream);
                    return cycle;
                }
                if (state.GetValueOrDefault(upstream) == 0 && Visit(upstream) is { } found)
                {
                    return found;
                }
            }
            stack.RemoveAt(stack.Count - 1);
            state[id] = 2;
            return null;
        }
        foreach (var task in dag.Tasks)
        {
            if (state.GetValueOrDefault(task.Id) == 0 && Visit(task.Id) is { } cycle)
            {
                return cycle;
            }
        }
        return null;
    }

    /// <summary>
    /// Ids name folders of the run store: letters, digits, '_', '-', '.', but not only dots ('.' and '..' are folders
    /// already). \A…\z, not ^…$: '$' also matches before a trailing newline.
    /// </summary>
    [GeneratedRegex(@"\A(?!\.+\z)[A-Za-z0-9_.-]+\z")]
    private static partial Regex IdPattern();
}

/// <summary>Sets one task's dependencies and controls inside <see cref="DagBuilder.Task"/>.</summary>
public sealed class TaskBuilder
{
    private readonly string _id;
    private readonly TaskAction _action;
    private readonly List<string> _dependsOn = [];
    private TaskControls _controls = TaskControls.Default;
    private int _line;

    internal TaskBuilder(string id, TaskAction action)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(action);
        _id = id;
        _action = action;
    }

    /// <summary>Adds upstream tasks.</summary>
    public TaskBuilder DependsOn(params string[] taskIds)
    {
        _dependsOn.AddRange(taskIds);
        return this;
    }

    /// <summary>Sets retries with exponential backoff.</summary>
    public TaskBuilder Retries(int retries, TimeSpan delay, double backoffFactor = 2, TimeSpan? maxDelay = null)
    {
        _controls = _controls with { Retries = retries, RetryDelay = delay, BackoffFactor = backoffFactor, MaxRetryDelay = maxDelay ?? _controls.MaxRetryDelay };
        return this;
    }

    /// <summary>Sets the attempt timeout (a sensor's total poking time).</summary>
    public TaskBuilder Timeout(TimeSpan timeout)
    {
        _controls = _controls with { Timeout = timeout };
        return this;
    }

    /// <summary>Replaces all controls.</summary>
    public TaskBuilder Controls(TaskControls controls)
    {
        _controls = controls;
        return this;
    }

    /// <summary>Sets the YAML line named in messages.</summary>
    public TaskBuilder Line(int line)
    {
        _line = line;
        return this;
    }

    internal TaskDefinition Build() => new() { Id = _id, Action = _action, DependsOn = [.. _dependsOn], Controls = _controls, Line = _line };
}
