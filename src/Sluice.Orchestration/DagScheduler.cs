using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.IO;
using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Execution;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration;

/// <summary>
/// Schedules and runs DAGs on a <see cref="RunStore"/>. Each <see cref="StepAsync"/> pass, under one lock: on the
/// first pass, recovers (attempts a stopped scheduler left running are marked abandoned and run again; completed task
/// instances and finished runs are never run again); creates runs for due intervals (catch-up: every missed one; off:
/// the latest) while fewer than max active runs are queued or running; starts queued runs in logical-date order up to
/// max active runs; starts ready tasks (upstream succeeded, retry or poke time reached) up to
/// <see cref="DagSchedulerOptions.MaxParallelTasks"/>, each on the thread pool with its timeout; marks tasks whose
/// upstream failed; finishes runs; raises SLA misses. Every state change is persisted before it is acted on, so a
/// scheduler killed at any point and started again on the same store continues where it stopped. The history is read
/// into memory once (<see cref="RunIndex"/>) and kept equal to the store by writing through it, so a pass with nothing
/// to do neither reads nor writes the store.
/// All times come from <see cref="DagSchedulerOptions.TimeProvider"/>. Thread-safe. Only one scheduler drives a store
/// at a time: each holds the state directory's lock file while it lives (run creation stays unique regardless).
/// </summary>
public sealed partial class DagScheduler : IAsyncDisposable
{
    /// <summary>How soon a DAG whose pass failed is tried again (at the latest).</summary>
    private static readonly TimeSpan s_retryAfterError = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Shared client without a timeout of its own: an HTTP task is bounded by its task timeout, or by
    /// <see cref="DagSchedulerOptions.DefaultHttpTimeout"/> (the attempt's token, on the scheduler's clock), a webhook by its own 30 s; a
    /// client timeout would end attempts outside the scheduler's control.
    /// </summary>
    private static readonly HttpClient s_http = new() { Timeout = Timeout.InfiniteTimeSpan };

    private readonly Dictionary<string, DagDefinition> _dags;
    private readonly Dictionary<string, IReadOnlyList<TaskDefinition>> _topological;
    private readonly RunStore _store;
    private readonly RunIndex _index;
    private readonly DagSchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly TaskExecutor _executor;
    private readonly DagLineage? _lineage;
    private readonly IReadOnlyList<IDagRunListener> _listeners;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<(string Dag, DateTimeOffset Date, string Task), Task> _inFlight = new();
    private readonly ConcurrentBag<Task> _webhooks = [];
    private readonly CancellationTokenSource _shutdown = new();
    private readonly DirectoryLock _lock;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<string> _recovered = new(StringComparer.Ordinal);

    /// <summary>Per DAG: the next schedule occurrence <see cref="CreateDueRuns"/> looks at; every earlier one has a run or was passed over.</summary>
    private readonly Dictionary<string, DateTimeOffset?> _dueCursor = new(StringComparer.Ordinal);

    /// <summary>Attempts that ended but whose outcome could not be written yet (under <see cref="_gate"/>).</summary>
    private readonly Dictionary<(string Dag, DateTimeOffset Date, string Task), EndedAttempt> _unrecorded = [];
    private long _writes;
    private DateTimeOffset? _nextWake;
    private Exception? _fault;
    private int _disposed;

    /// <summary>
    /// Creates a scheduler of <paramref name="dags"/> on <paramref name="store"/>; nothing runs until <see cref="StepAsync"/>
    /// or <see cref="RunAsync"/>. Takes the state directory's lock (<c>.lock</c>) until disposed: throws
    /// <see cref="InvalidOperationException"/> ("in use by another scheduler (pid …)") when another scheduler, in this
    /// process or another, holds it — two schedulers on one store would run the same tasks twice.
    /// </summary>
    public DagScheduler(IEnumerable<DagDefinition> dags, RunStore store, DagSchedulerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dags);
        ArgumentNullException.ThrowIfNull(store);
        _options = options ?? new DagSchedulerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxParallelTasks, 1);
        CheckDefaultTimeout(_options.DefaultHttpTimeout, nameof(DagSchedulerOptions.DefaultHttpTimeout));
        CheckDefaultTimeout(_options.DefaultSqlJobTimeout, nameof(DagSchedulerOptions.DefaultSqlJobTimeout));
        _dags = dags.ToDictionary(d => d.Id, StringComparer.Ordinal);
        _topological = _dags.Values.ToDictionary(d => d.Id, TopologicalOrder, StringComparer.Ordinal);
        _store = store;
        _index = new RunIndex(store);
        _time = _options.TimeProvider;
        _logger = (_options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Sluice.Orchestration");
        _http = _options.HttpClient ?? s_http;
        _lineage = _options.Lineage is { } emitter
            ? new DagLineage(_dags, emitter, _options.LineageNamespace ?? Lineage.LineageJobNames.Namespace(), _time, _options.LineageIncludeSql)
            : null;
        // Lineage first: its runs exist before other listeners hear of them, and before the attempt (a models task) runs.
        _listeners = _lineage is null ? _options.Listeners : [_lineage, .. _options.Listeners];
        _executor = new TaskExecutor(store, _http, _options, _lineage);
        foreach (var dag in _dags.Values.Where(d => d.SlaWebhook is not null && d.Sla is null))
        {
            // Names the file and DAG, never the URL (it may hold a secret).
            _logger.LogWarning("{File}: DAG {Dag} has an sla_webhook but no sla; the webhook is never called.", dag.SourceFile ?? "(code)", dag.Id);
        }
        // Last: nothing after it may throw, or the lock would outlive a scheduler that never was.
        _lock = DirectoryLock.Acquire(store.Directory, (holder, e) => new InvalidOperationException(
            $"The state directory {store.Directory} is in use by another scheduler ({holder}): stop it, or use the server's API " +
            "(POST /api/dags/{id}/runs) to trigger runs while it runs.", e));
    }

    /// <summary>
    /// A default task timeout must be above 0 and at most the longest a DAG file's <c>timeout</c> allows
    /// (<see cref="DagBuilder.MaxTimeout"/>, 49 days): a longer one could not be armed as a timer and no attempt would run.
    /// </summary>
    private static void CheckDefaultTimeout(TimeSpan value, string option)
    {
        if (value <= TimeSpan.Zero || value > DagBuilder.MaxTimeout)
        {
            throw new ArgumentOutOfRangeException(option, value,
                $"DagSchedulerOptions.{option} must be above 0 and at most {DagBuilder.MaxTimeout.TotalDays:0} days (as a task's 'timeout'); it is {value}.");
        }
    }

    /// <summary>The DAGs, by id.</summary>
    public IReadOnlyDictionary<string, DagDefinition> Dags => _dags;

    /// <summary>The clock of every schedule and timeout (<see cref="DagSchedulerOptions.TimeProvider"/>); "now" of a trigger.</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>The store.</summary>
    public RunStore Store => _store;

    /// <summary>
    /// Every run of <paramref name="dagId"/>, oldest logical date first, from the scheduler's in-memory copy of the
    /// store (read from disk on first use, and again after a failed store write). Throws when the DAG's run files cannot
    /// be read, as <see cref="RunStore.ListRuns"/> does.
    /// </summary>
    public IReadOnlyList<DagRun> ListRuns(string dagId) => _index.Runs(dagId);

    /// <summary>
    /// The task instances of <paramref name="dagId"/>'s run at <paramref name="logicalDate"/>, ordered by task id, as
    /// <see cref="RunStore.ListTasks"/> lists them: from the scheduler's in-memory copy when it holds them (a queued or
    /// running run, so a dashboard polling an active run reads no files), else from the store. A snapshot; thread-safe.
    /// </summary>
    public IReadOnlyList<TaskInstance> ListTasks(string dagId, DateTimeOffset logicalDate) =>
        _index.TryListTasks(dagId, logicalDate) ?? _store.ListTasks(dagId, logicalDate);

    /// <summary>
    /// Creates a run of <paramref name="dagId"/> for <paramref name="logicalDate"/> (its interval: to the next schedule
    /// occurrence; a manual DAG's is empty) as queued, or returns the existing run of that logical date (exactly one
    /// per DAG and logical date). The logical date is truncated to the whole second (run ids show seconds). Throws <see cref="KeyNotFoundException"/> for an unknown DAG.
    /// </summary>
    public async Task<(DagRun Run, bool Created)> TriggerAsync(string dagId, DateTimeOffset logicalDate, DagRunKind kind = DagRunKind.Manual, CancellationToken cancellationToken = default)
    {
        var dag = GetDag(dagId);
        // Whole seconds: the run id shows seconds and the folder key milliseconds, so two triggers within one second
        // must be the same run, not two runs sharing a run id.
        logicalDate = new DateTimeOffset(logicalDate.Ticks - (logicalDate.Ticks % TimeSpan.TicksPerSecond), logicalDate.Offset);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfFaulted();
            var created = TryCreate(dag, dag.Schedule.IntervalAt(logicalDate), kind, out var run);
            Wake();
            return (run, created);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// One scheduling pass (see the type's summary). Returns once the pass is persisted; started attempts run on. A DAG
    /// whose pass fails on the store (an unreadable file, an I/O error) is logged, counted
    /// (<c>sluice_dag_scheduling_errors_total</c>) and retried on the next pass; the other DAGs go on. Anything else
    /// faults the scheduler: every later call throws it.
    /// </summary>
    public async Task StepAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfFaulted();
            try
            {
                StepLocked();
            }
            catch (Exception e)
            {
                _fault = e;
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Steps and waits for started attempts until a pass changes nothing and no attempt runs: everything that can
    /// happen at the current time has happened (retries and pokes due later wait for the clock).
    /// </summary>
    public async Task RunUntilIdleAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var before = Interlocked.Read(ref _writes);
            await StepAsync(cancellationToken).ConfigureAwait(false);
            var running = _inFlight.Values.ToArray();
            if (running.Length > 0)
            {
                await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);
                ThrowIfFaulted();
                continue;
            }
            if (Interlocked.Read(ref _writes) == before)
            {
                return;
            }
        }
    }

    /// <summary>Schedules until <paramref name="cancellationToken"/> is cancelled (the server's loop).</summary>
    public Task RunAsync(CancellationToken cancellationToken) => RunUntilAsync(() => false, cancellationToken);

    /// <summary>Schedules until the run of <paramref name="dagId"/> at <paramref name="logicalDate"/> finished; returns it.</summary>
    public async Task<DagRun> WaitForRunAsync(string dagId, DateTimeOffset logicalDate, CancellationToken cancellationToken = default)
    {
        DagRun? finished = null;
        await RunUntilAsync(() => (finished = FinishedRunOrNull(dagId, logicalDate)) is not null, cancellationToken).ConfigureAwait(false);
        return finished!;
    }

    /// <summary>
    /// Stops: attempts in flight are cancelled (they stay <c>running</c> in the store and are run again by the next
    /// scheduler) and awaited. Idempotent.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _shutdown.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll([.. _inFlight.Values, .. _webhooks]).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancelled attempts: expected on shutdown.
        }
        try
        {
            // What was cancelled runs again in the next scheduler, as a new lineage run: these end as ABORT. Under the
            // gate, so no pass starts a run after it (the lineage emits nothing once closed).
            await _gate.WaitAsync().ConfigureAwait(false);
            try
            {
                _lineage?.AbortOpen();
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (Exception e)
        {
            // A custom emitter that throws must not keep the state directory locked.
            _logger.LogError(e, "Ending the open lineage runs failed: {Error}", e.Message);
        }
        finally
        {
            _shutdown.Dispose();
            _lock.Dispose();
        }
    }

    private async Task RunUntilAsync(Func<bool> done, CancellationToken cancellationToken)
    {
        while (true)
        {
            var wake = _wake.Task;
            await StepAsync(cancellationToken).ConfigureAwait(false);
            if (done())
            {
                return;
            }
            var now = _time.GetUtcNow();
            var wait = _nextWake is { } next ? next - now : TimeSpan.FromSeconds(30);
            wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(30) : wait;
            if (wait > TimeSpan.Zero)
            {
                using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(wait, _time, timer.Token);
                await Task.WhenAny(wake, delay).ConfigureAwait(false);
                await timer.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    private void StepLocked()
    {
        var now = _time.GetUtcNow();
        _nextWake = null;
        foreach (var dag in _dags.Values)
        {
            try
            {
                StepDag(dag, now);
            }
            catch (Exception e) when (IsStoreFailure(e))
            {
                // One DAG's unreadable file or a transient I/O error must not stop the others: every change is persisted
                // before it is acted on (and reaches the index only once persisted), so the next pass retries from where
                // this one stopped.
                OrchestrationMetrics.SchedulingErrors.Add(1, new KeyValuePair<string, object?>("dag", dag.Id));
                _logger.LogError(e, "Scheduling DAG {Dag} failed; it is retried on the next pass: {Error}", dag.Id, e.Message);
                WakeAt(now + s_retryAfterError);
            }
        }
    }

    private void StepDag(DagDefinition dag, DateTimeOffset now)
    {
        if (!_recovered.Contains(dag.Id))
        {
            // Before any of the DAG's tasks starts, so an abandoned attempt is never mistaken for one in flight.
            Recover(dag, now);
            // A run a stopped scheduler finished late but did not mark yet; later passes see only active runs.
            // (A run finished by this version carries its miss in the finishing write.)
            if (dag.Sla is not null)
            {
                foreach (var finished in _index.Runs(dag.Id).Where(r => r.IsFinished))
                {
                    CheckSla(dag, finished, now);
                }
            }
            _recovered.Add(dag.Id);
        }
        RecordEndedAttempts(dag.Id);
        // Only queued and running runs: a pass costs what is active, not the length of the history.
        var runs = _index.ActiveRuns(dag.Id);
        if (_options.CreateScheduledRuns && dag.Schedule.IsScheduled && CreateDueRuns(dag, runs.Count, now))
        {
            runs = _index.ActiveRuns(dag.Id);
        }
        var running = runs.Count(r => r.State == DagRunState.Running);
        foreach (var queued in runs.Where(r => r.State == DagRunState.Queued))
        {
            if (running >= dag.MaxActiveRuns)
            {
                break;
            }
            var started = queued with { State = DagRunState.Running, StartedAt = now > queued.QueuedAt ? now : queued.QueuedAt };
            Persist(() => _index.UpdateRun(started));
            running++;
            Notify(l => l.OnRunStarted(started));
        }
        foreach (var run in _index.ActiveRuns(dag.Id))
        {
            var current = run;
            if (run.State == DagRunState.Running)
            {
                current = AdvanceRun(dag, run, now);
            }
            // Also for a run that just finished: a late finish is an SLA miss.
            CheckSla(dag, current, now);
        }
    }

    /// <summary>
    /// Creates runs for the schedule intervals that ended by <paramref name="now"/> and have no run yet; true when it
    /// created one. A per-DAG cursor remembers the next occurrence to look at, and an interval already covered (by a
    /// manual or backfill run) is passed over in memory, so a pass with nothing due costs neither a store write nor a
    /// walk over old occurrences.
    /// </summary>
    private bool CreateDueRuns(DagDefinition dag, int active, DateTimeOffset now)
    {
        if (!_dueCursor.TryGetValue(dag.Id, out var from))
        {
            // Once per DAG: afterwards the cursor knows where to go on.
            var latest = _index.Runs(dag.Id).Where(r => r.Kind == DagRunKind.Scheduled).Select(r => (DateTimeOffset?)r.LogicalDate).Max();
            from = latest is { } l ? dag.Schedule.Next(l) : dag.Schedule.NextOrSame(dag.StartDate);
            _dueCursor[dag.Id] = from;
        }
        if (from is null)
        {
            return false;
        }
        if (!dag.CatchUp && dag.LatestCompleteInterval(from.Value, now) is { } newest)
        {
            from = newest.Start;
        }
        var created = false;
        for (var start = from; start is { } s && active < dag.MaxActiveRuns; start = _dueCursor[dag.Id])
        {
            var interval = dag.Schedule.IntervalAt(s);
            if (dag.EndDate is { } end && interval.Start >= end)
            {
                break;
            }
            if (interval.End > now)
            {
                WakeAt(interval.End);
                break;
            }
            if (_index.GetRun(dag.Id, s) is null && TryCreate(dag, interval, DagRunKind.Scheduled, out _))
            {
                active++;
                created = true;
            }
            // Only once the interval has its run: a failed creation is tried again on the next pass.
            _dueCursor[dag.Id] = interval.End > interval.Start ? interval.End : dag.Schedule.Next(s);
        }
        return created;
    }

    private bool TryCreate(DagDefinition dag, DataInterval interval, DagRunKind kind, out DagRun run)
    {
        var candidate = new DagRun
        {
            DagId = dag.Id,
            RunId = DagRun.MakeRunId(kind, interval.Start),
            Interval = interval,
            Kind = kind,
            State = DagRunState.Queued,
            QueuedAt = _time.GetUtcNow(),
        };
        // Counted as a change only when created: finding the existing run changes nothing.
        var created = _index.TryCreateRun(candidate, out run);
        if (created)
        {
            Interlocked.Increment(ref _writes);
        }
        return created;
    }

    private DagDefinition GetDag(string dagId) =>
        _dags.TryGetValue(dagId, out var dag) ? dag : throw new KeyNotFoundException($"There is no DAG '{dagId}' (known: {string.Join(", ", _dags.Keys.Order(StringComparer.Ordinal))}).");

    private void Persist(Action write)
    {
        write();
        Interlocked.Increment(ref _writes);
    }

    /// <summary>
    /// The run of <paramref name="dagId"/> at <paramref name="logicalDate"/> if it finished, else null. Another run's
    /// unreadable file (the DAG's history cannot be loaded) falls back to reading this run's file alone; a failure
    /// there too is "not finished yet" (the pass reports and counts it), not an error of the waiting command.
    /// </summary>
    private DagRun? FinishedRunOrNull(string dagId, DateTimeOffset logicalDate)
    {
        try
        {
            return _index.GetRun(dagId, logicalDate) is { IsFinished: true } run ? run : null;
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            try
            {
                return _store.GetRun(dagId, logicalDate) is { IsFinished: true } run ? run : null;
            }
            catch (Exception again) when (IsStoreFailure(again))
            {
                return null;
            }
        }
    }

    /// <summary>
    /// A failure of the run store (a full disk, a permission, an unreadable file) rather than a bug: only the store's
    /// own <see cref="RunStoreException"/> and I/O errors, so that a bug's <see cref="InvalidOperationException"/>
    /// still faults the scheduler.
    /// </summary>
    private static bool IsStoreFailure(Exception e) => e is IOException or UnauthorizedAccessException or InvalidDataException or RunStoreException;

    private void NotifyLineage(IDagRunListener lineage, Action<IDagRunListener> call)
    {
        try
        {
            call(lineage);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A run listener ({Listener}) failed.", lineage.GetType().Name);
        }
    }

    private void Notify(Action<IDagRunListener> call)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                call(listener);
            }
            catch (Exception e)
            {
                // A listener (e.g. lineage) must not break a run: log and go on.
                _logger.LogError(e, "A run listener ({Listener}) failed.", listener.GetType().Name);
            }
        }
    }

    private void WakeAt(DateTimeOffset instant)
    {
        if (_nextWake is not { } current || instant < current)
        {
            _nextWake = instant;
        }
    }

    private void Wake() => Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private void ThrowIfFaulted()
    {
        if (_fault is { } fault)
        {
            throw new InvalidOperationException($"The scheduler stopped after a failure: {fault.Message}", fault);
        }
    }

    private static IReadOnlyList<TaskDefinition> TopologicalOrder(DagDefinition dag)
    {
        var order = new List<TaskDefinition>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        while (order.Count < dag.Tasks.Count)
        {
            foreach (var task in dag.Tasks)
            {
                if (!done.Contains(task.Id) && task.DependsOn.All(done.Contains))
                {
                    order.Add(task);
                    done.Add(task.Id);
                }
            }
        }
        return order;
    }
}
