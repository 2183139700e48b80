using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Execution;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration;

public sealed partial class DagScheduler
{
    /// <summary>A sensor without a timeout pokes this long before it fails.</summary>
    private static readonly TimeSpan s_defaultSensorTimeout = TimeSpan.FromDays(7);

    /// <summary>How long an SLA webhook may take to answer.</summary>
    private static readonly TimeSpan s_webhookTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Marks what a stopped scheduler left running as abandoned; those tasks run again.</summary>
    private void Recover(DagDefinition dag, DateTimeOffset now)
    {
        foreach (var run in _index.Runs(dag.Id).Where(r => r.State == DagRunState.Running))
        {
            foreach (var task in _index.Tasks(dag.Id, run.LogicalDate).Values.Where(t => t.State == TaskState.Running))
            {
                var attempts = task.Attempts.ToList();
                var abandoned = attempts.Count > 0 && attempts[^1].State == AttemptState.Running;
                if (abandoned)
                {
                    attempts[^1] = attempts[^1] with { State = AttemptState.Abandoned, EndedAt = now, Error = "the scheduler stopped while this attempt ran" };
                }
                var reset = task with { State = TaskState.Pending, Attempts = attempts, NextAttemptAt = null };
                Persist(() => _index.SaveTask(run.LogicalDate, reset));
                if (abandoned && _lineage is { } lineage)
                {
                    // Only lineage hears of it (its docs promise ABORT): a new lineage run, started and aborted at once.
                    var attempt = attempts[^1];
                    NotifyLineage(lineage, l => l.OnTaskAttemptFinished(run, reset, attempt));
                }
                _logger.LogWarning("DAG {Dag} run {Run}: task {Task} was running when the scheduler stopped; it runs again.", dag.Id, run.RunId, task.TaskId);
            }
        }
    }

    private DagRun AdvanceRun(DagDefinition dag, DagRun run, DateTimeOffset now)
    {
        var tasks = _index.Tasks(dag.Id, run.LogicalDate);
        foreach (var task in _topological[dag.Id])
        {
            var instance = tasks.GetValueOrDefault(task.Id) ?? new TaskInstance { DagId = dag.Id, RunId = run.RunId, TaskId = task.Id, State = TaskState.Pending };
            // An attempt in flight, or one that ended but whose outcome is not written yet, is not started again.
            if (instance.IsFinished || _inFlight.ContainsKey((dag.Id, run.LogicalDate, task.Id)) || _unrecorded.ContainsKey((dag.Id, run.LogicalDate, task.Id)))
            {
                continue;
            }
            var upstream = task.DependsOn.Select(u => tasks.GetValueOrDefault(u)?.State ?? TaskState.Pending).ToList();
            if (upstream.Any(s => s is TaskState.Failed or TaskState.UpstreamFailed))
            {
                var failed = instance with { State = TaskState.UpstreamFailed, NextAttemptAt = null };
                Persist(() => _index.SaveTask(run.LogicalDate, failed));
                tasks[task.Id] = failed;
                continue;
            }
            if (!upstream.All(s => s == TaskState.Success))
            {
                continue;
            }
            if (instance.NextAttemptAt is { } at && at > now)
            {
                WakeAt(at);
                continue;
            }
            if (_inFlight.Count >= _options.MaxParallelTasks)
            {
                continue;
            }
            tasks[task.Id] = Start(dag, task, run, instance, now);
        }
        if (dag.Tasks.All(t => tasks.TryGetValue(t.Id, out var i) && i.IsFinished))
        {
            var finished = run with
            {
                State = dag.Tasks.All(t => tasks[t.Id].State == TaskState.Success) ? DagRunState.Success : DagRunState.Failed,
                EndedAt = now,
            };
            // A late finish is marked in the same write as the finish: a finished run leaves the active runs, so a
            // separate SLA write that failed would never be tried again and the miss would be lost.
            var late = IsSlaMissed(dag, finished, now, out var deadline) && !finished.SlaMissed;
            if (late)
            {
                finished = finished with { SlaMissed = true };
            }
            Persist(() => _index.UpdateRun(finished));
            Notify(l => l.OnRunFinished(finished));
            if (late)
            {
                RaiseSlaMiss(dag, finished, deadline);
            }
            Wake();
            return finished;
        }
        return run;
    }

    private TaskInstance Start(DagDefinition dag, TaskDefinition task, DagRun run, TaskInstance instance, DateTimeOffset now)
    {
        var attempts = instance.Attempts.ToList();
        // A sensor's attempt spans its pokes: a reschedule continues the open attempt.
        var continues = instance.State == TaskState.UpForReschedule && attempts.Count > 0 && attempts[^1].State == AttemptState.Running;
        if (!continues)
        {
            var number = attempts.Count + 1;
            attempts.Add(new TaskAttempt(number, AttemptState.Running, now, null, null, null, RunStore.LogFile(dag.Id, run.LogicalDate, task.Id, number)));
        }
        var started = instance with { State = TaskState.Running, NextAttemptAt = null, Attempts = attempts };
        Persist(() => _index.SaveTask(run.LogicalDate, started));
        if (!continues)
        {
            Notify(l => l.OnTaskAttemptStarted(run, started, attempts[^1]));
        }
        var key = (dag.Id, run.LogicalDate, task.Id);
        _inFlight[key] = ExecuteAsync(dag, task, run, attempts[^1], key);
        return started;
    }

    private async Task ExecuteAsync(DagDefinition dag, TaskDefinition task, DagRun run, TaskAttempt attempt, (string, DateTimeOffset, string) key)
    {
        await Task.Yield();
        try
        {
            // A sensor's timeout spans all its pokes: each poke gets what is left of it, so a hung poke cannot outlive it.
            // An HTTP request without a task timeout gets the options' DefaultHttpTimeout: the shared client never times out by itself.
            // A sql_job without one gets DefaultSqlJobTimeout: a bounded job whose source never ends would otherwise hold the run forever.
            var timeout = task.Action switch
            {
                SensorAction => Max(TimeSpan.Zero, (task.Controls.Timeout ?? s_defaultSensorTimeout) - (_time.GetUtcNow() - attempt.StartedAt)),
                HttpAction => task.Controls.Timeout ?? _options.DefaultHttpTimeout,
                SqlJobAction => task.Controls.Timeout ?? _options.DefaultSqlJobTimeout,
                _ => task.Controls.Timeout,
            };
            // Named in a timeout's error: the default, not the task's own, is what the user did not set.
            var timeoutNote = task.Controls.Timeout is null && task.Action is SqlJobAction ? " (the default sql_job timeout; set the task's `timeout`)" : "";
            var outcome = await AttemptAsync(dag, task, run, attempt, timeout, timeoutNote).ConfigureAwait(false);
            if (outcome is null)
            {
                // Shutting down: the attempt stays running in the store; the next scheduler runs it again.
                return;
            }
            var ended = new EndedAttempt(dag, task, run, attempt, outcome.Value.Outcome, outcome.Value.TimedOut, _time.GetUtcNow());
            await _gate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (_fault is null)
                {
                    Complete(ended);
                }
            }
            catch (Exception e) when (IsStoreFailure(e))
            {
                // A full disk or a permission must not stop the scheduler nor lose the outcome: it is kept here and
                // written by a later pass of this DAG (the task is not started again meanwhile); the others go on.
                _unrecorded[key] = ended;
                OrchestrationMetrics.SchedulingErrors.Add(1, new KeyValuePair<string, object?>("dag", dag.Id));
                _logger.LogError(e, "DAG {Dag} run {Run}: the outcome of attempt {Attempt} of task {Task} could not be written; it is written on a later pass: {Error}",
                    dag.Id, run.RunId, attempt.Number, task.Id, e.Message);
            }
            catch (Exception e)
            {
                _fault = e;
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            // Whatever happened, the attempt is no longer in flight: the task can be started (or retried) again.
            _inFlight.TryRemove(key, out _);
            Wake();
        }
    }

    /// <summary>
    /// Runs one attempt (or poke) bounded by <paramref name="timeout"/>: null when the scheduler shuts down, otherwise
    /// its outcome. Any exception (the log file cannot be opened, a client's own timeout fires, a bug) is a failed
    /// attempt carrying the error, so no attempt stays <c>running</c> while the scheduler lives.
    /// </summary>
    private async Task<(AttemptOutcome Outcome, bool TimedOut)?> AttemptAsync(DagDefinition dag, TaskDefinition task, DagRun run, TaskAttempt attempt, TimeSpan? timeout, string timeoutNote)
    {
        CancellationTokenSource? timeoutSource = null;
        CancellationTokenSource? linked = null;
        try
        {
            // Inside the try: a timeout the timer cannot take (ArgumentOutOfRangeException) ends the attempt as failed
            // instead of leaving it running.
            timeoutSource = timeout is { } t ? new CancellationTokenSource(t, _time) : new CancellationTokenSource();
            linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, _shutdown.Token);
            return (await _executor.RunAsync(dag, task, run, attempt.Number, _store.FullPath(attempt.LogFile), linked.Token).ConfigureAwait(false), false);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException) when (timeoutSource?.IsCancellationRequested == true)
        {
            return (AttemptOutcome.Fail($"timed out after {timeout}{timeoutNote}"), true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogWarning("DAG {Dag} run {Run}: attempt {Attempt} of task {Task} failed unexpectedly: {Error}", dag.Id, run.RunId, attempt.Number, task.Id, e.Message);
            return (AttemptOutcome.Fail($"{e.GetType().Name}: {e.Message}"), false);
        }
        finally
        {
            linked?.Dispose();
            timeoutSource?.Dispose();
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>An attempt that ended with <paramref name="Outcome"/> at <paramref name="EndedAt"/>, to be written.</summary>
    private sealed record EndedAttempt(DagDefinition Dag, TaskDefinition Task, DagRun Run, TaskAttempt Attempt, AttemptOutcome Outcome, bool TimedOut, DateTimeOffset EndedAt);

    /// <summary>Writes the outcomes kept by <see cref="ExecuteAsync"/> after a failed write; each is removed once written.</summary>
    private void RecordEndedAttempts(string dagId)
    {
        if (_unrecorded.Count == 0)
        {
            return;
        }
        foreach (var (key, ended) in _unrecorded.Where(u => u.Key.Dag == dagId).ToList())
        {
            try
            {
                Complete(ended);
            }
            catch (Exception e) when (IsStoreFailure(e))
            {
                // Still unwritable: kept for the next pass; the other outcomes and the rest of this DAG's pass go on.
                OrchestrationMetrics.SchedulingErrors.Add(1, new KeyValuePair<string, object?>("dag", dagId));
                _logger.LogError(e, "DAG {Dag} run {Run}: the outcome of attempt {Attempt} of task {Task} still cannot be written; it is tried again on the next pass: {Error}",
                    dagId, ended.Run.RunId, ended.Attempt.Number, ended.Task.Id, e.Message);
                WakeAt(_time.GetUtcNow() + s_retryAfterError);
                continue;
            }
            _unrecorded.Remove(key);
            _logger.LogInformation("DAG {Dag} run {Run}: the outcome of attempt {Attempt} of task {Task} is written now.", dagId, ended.Run.RunId, ended.Attempt.Number, ended.Task.Id);
        }
    }

    /// <summary>
    /// Writes an ended attempt's outcome (at its end time, whenever it is written). Idempotent up to the write: the
    /// attempt is replaced by number, and listeners hear of it only after the write succeeded.
    /// </summary>
    private void Complete(EndedAttempt ended)
    {
        var (dag, task, run, attempt, outcome, timedOut, now) = ended;
        var instance = _index.Tasks(dag.Id, run.LogicalDate)[task.Id];
        var attempts = instance.Attempts.ToList();
        var index = attempts.FindIndex(a => a.Number == attempt.Number);
        TaskInstance next;
        if (outcome.Success)
        {
            attempts[index] = attempt with { State = AttemptState.Success, EndedAt = now, ExitCode = outcome.ExitCode };
            next = instance with { State = TaskState.Success, Attempts = attempts };
        }
        else if (task.Action is SensorAction sensor && !outcome.Permanent && now - attempt.StartedAt < (task.Controls.Timeout ?? s_defaultSensorTimeout))
        {
            next = instance with { State = TaskState.UpForReschedule, NextAttemptAt = now + sensor.PokeInterval };
            Persist(() => _index.SaveTask(run.LogicalDate, next));
            WakeAt(now + sensor.PokeInterval);
            return;
        }
        else
        {
            var error = task.Action is SensorAction && !outcome.Permanent
                ? $"the sensor timed out after {task.Controls.Timeout ?? s_defaultSensorTimeout}: {outcome.Error}"
                : outcome.Error;
            attempts[index] = attempt with { State = timedOut ? AttemptState.TimedOut : AttemptState.Failed, EndedAt = now, ExitCode = outcome.ExitCode, Error = error };
            var failures = instance.Failures + 1;
            next = failures <= task.Controls.Retries
                ? instance with { State = TaskState.UpForRetry, Failures = failures, Attempts = attempts, NextAttemptAt = now + task.Controls.DelayBeforeRetry(failures) }
                : instance with { State = TaskState.Failed, Failures = failures, Attempts = attempts };
            if (next.NextAttemptAt is { } retryAt)
            {
                WakeAt(retryAt);
            }
        }
        Persist(() => _index.SaveTask(run.LogicalDate, next));
        Notify(l => l.OnTaskAttemptFinished(run, next, attempts[index]));
    }

    /// <summary>
    /// Marks <paramref name="run"/> as having missed its SLA when it is late (finished after, or still active past, its
    /// deadline), then counts, logs and posts the webhook — only once the mark is written, so a miss is raised once.
    /// </summary>
    private void CheckSla(DagDefinition dag, DagRun run, DateTimeOffset now)
    {
        if (run.SlaMissed)
        {
            return;
        }
        if (!IsSlaMissed(dag, run, now, out var deadline))
        {
            if (!run.IsFinished && dag.Sla is not null && run.Kind != DagRunKind.Backfill)
            {
                WakeAt(deadline + TimeSpan.FromTicks(1));
            }
            return;
        }
        var missed = run with { SlaMissed = true };
        Persist(() => _index.UpdateRun(missed));
        RaiseSlaMiss(dag, missed, deadline);
    }

    /// <summary>Whether <paramref name="run"/> missed its DAG's SLA at <paramref name="now"/>; <paramref name="deadline"/>: interval end + SLA.</summary>
    private static bool IsSlaMissed(DagDefinition dag, DagRun run, DateTimeOffset now, out DateTimeOffset deadline)
    {
        deadline = default;
        if (dag.Sla is not { } sla || run.Kind == DagRunKind.Backfill)
        {
            return false;
        }
        deadline = run.Interval.End + sla;
        return run.IsFinished ? run.EndedAt > deadline : now > deadline;
    }

    /// <summary>Counts, logs and posts an SLA miss already written to the store.</summary>
    private void RaiseSlaMiss(DagDefinition dag, DagRun run, DateTimeOffset deadline)
    {
        OrchestrationMetrics.SlaMisses.Add(1, new KeyValuePair<string, object?>("dag", dag.Id));
        _logger.LogWarning("SLA miss: DAG {Dag} run {Run} was not done by {Deadline} (interval end + {Sla}).", dag.Id, run.RunId, TaskTemplates.Iso(deadline), dag.Sla);
        if (dag.SlaWebhook is { } hook)
        {
            var payload = new
            {
                @event = "sla_miss",
                dag_id = dag.Id,
                run_id = run.RunId,
                logical_date = TaskTemplates.Iso(run.LogicalDate),
                deadline = TaskTemplates.Iso(deadline),
                state = run.State.ToString().ToLowerInvariant(),
            };
            _webhooks.Add(PostWebhookAsync(dag.Id, hook, payload));
        }
    }

    private async Task PostWebhookAsync(string dagId, Uri hook, object payload)
    {
        try
        {
            // The shared client has no timeout of its own (task timeouts bound task requests); a webhook gets 30 s.
            using var timeout = new CancellationTokenSource(s_webhookTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _shutdown.Token);
            using var response = await _http.PostAsJsonAsync(hook, payload, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                // The URL may hold a secret: name the DAG and the status only.
                _logger.LogWarning("The SLA webhook of DAG {Dag} answered {Status}.", dagId, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            _logger.LogWarning("The SLA webhook of DAG {Dag} failed: {Error}", dagId, e.GetType().Name);
        }
    }
}
