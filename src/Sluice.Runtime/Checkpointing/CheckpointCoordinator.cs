using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Logging;
using Sluice.Checkpoints;
using Sluice.Runtime.Execution;
using Sluice.Runtime.Tasks;

namespace Sluice.Runtime.Checkpointing;

/// <summary>
/// Takes checkpoints of a running job: every <see cref="CheckpointOptions.Interval"/> it injects barrier <c>n</c> at
/// the sources, collects one acknowledgement per task (a finished task contributes its final snapshot), writes every
/// snapshot and then — last, atomically — the manifest. Only then are two-phase sinks committed and tasks notified.
/// One checkpoint at a time; one that outlives <see cref="CheckpointOptions.Timeout"/> fails the attempt (detected at
/// the next trigger). Store I/O is asynchronous and runs on the thread pool, never on a task thread; it observes the
/// attempt's cancellation (and <see cref="Dispose"/>), so a hung store cannot hang a cancelled job. Logs through
/// <see cref="CheckpointLog"/>; every instrument is tagged <c>job</c> and <c>job.id</c>. Thread-safe.
/// </summary>
internal sealed class CheckpointCoordinator : ICheckpointAcknowledger, IDisposable
{
    private static readonly Histogram<double> s_duration = SluiceMetrics.CreateSecondsHistogram("sluice.checkpoint.duration", "Time from triggering a checkpoint to its manifest being durable and its sinks committed.");
    private static readonly Histogram<long> s_size = SluiceMetrics.Meter.CreateHistogram("sluice.checkpoint.size", "By", "Bytes written per completed checkpoint.",
        tags: null, advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = SluiceMetrics.BytesBuckets });
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<CheckpointCoordinator, byte> s_live = new();
    private static readonly ObservableGauge<long> s_lastCompleted = SluiceMetrics.Meter.CreateObservableGauge(
        "sluice.checkpoint.last_completed_id", ObserveLastCompleted, "{checkpoint}", "Id of the last completed checkpoint, per job.");
    private static readonly Counter<long> s_failures = SluiceMetrics.Meter.CreateCounter<long>("sluice.checkpoint.failures", "{checkpoint}", "Checkpoints that timed out or failed.");

    private readonly CheckpointOptions _options;
    private readonly string _jobName;
    private readonly JobId _jobId;
    private readonly ILogger _logger;
    private readonly int _keyGroupCount;
    private readonly IReadOnlyList<StreamTask> _tasks;
    private readonly Func<string, Action<long, int, byte[]>?> _committerOf;
    private readonly Action<Exception> _fail;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<StreamTask, IReadOnlyList<OperatorSnapshot>> _final = [];
    private readonly Dictionary<long, HashSet<string>> _references = []; // shared files per completed checkpoint; completion loop only
    private readonly KeyValuePair<string, object?> _jobTag;
    private readonly KeyValuePair<string, object?> _jobIdTag;
    private readonly CancellationTokenSource _cancellation;
    private Pending? _pending;
    private Task _completions = Task.CompletedTask;
    private ITimer? _timer;
    private long _nextId;
    private bool _stopped; // Disposed, or failed by a timed-out checkpoint: no more checkpoints.

    public CheckpointCoordinator(CheckpointOptions options, string jobName, JobId jobId, int keyGroupCount, IReadOnlyList<StreamTask> tasks,
        long lastCheckpointId, Func<string, Action<long, int, byte[]>?> committerOf, Action<Exception> fail, TimeProvider time,
        ILogger logger, CancellationToken cancellationToken)
    {
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _options = options;
        _jobName = jobName;
        _jobId = jobId;
        _logger = logger;
        _keyGroupCount = keyGroupCount;
        _tasks = tasks;
        _committerOf = committerOf;
        _fail = fail;
        _time = time;
        _nextId = lastCheckpointId;
        LastCompletedId = lastCheckpointId;
        _jobTag = new("job", jobName);
        _jobIdTag = new("job.id", jobId.ToString());
        foreach (var task in tasks)
        {
            task.Checkpoints = this;
        }
    }

    /// <summary>The parent of the checkpoints' activities (the attempt's); default makes them roots. Set before <see cref="Start"/>.</summary>
    public ActivityContext TraceParent { get; set; }

    /// <summary>The id of the last completed checkpoint (the restored one until a new one completes).</summary>
    public long LastCompletedId { get; private set; }

    /// <summary>Checkpoints completed by this coordinator.</summary>
    public int Completed { get; private set; }

    /// <summary>Checkpoints abandoned or failed.</summary>
    public int Failed { get; private set; }

    /// <summary>Raised (on the completing thread) after a checkpoint's manifest is durable and its sinks committed.</summary>
    public event Action<long>? CheckpointCompleted;

    /// <summary>Raised just before <see cref="CheckpointCompleted"/>, with the checkpoint's timing and size.</summary>
    public event Action<CheckpointStatistics>? StatisticsCompleted;

    /// <summary>Starts the periodic trigger.</summary>
    public void Start()
    {
        s_live[this] = 0;
        Arm(_options.Interval);
    }

    private static IEnumerable<Measurement<long>> ObserveLastCompleted()
    {
        foreach (var coordinator in s_live.Keys)
        {
            yield return new Measurement<long>(coordinator.LastCompletedId, coordinator._jobTag, coordinator._jobIdTag);
        }
    }

    /// <summary>
    /// Triggers a checkpoint now unless one is in progress; returns its id, or 0 when none was started. A checkpoint
    /// in progress for longer than <see cref="CheckpointOptions.Timeout"/> fails the attempt instead: sinks that passed
    /// its barrier staged output only its commit would publish, and the sources have moved on, so a later checkpoint
    /// would lose that output. The restart restores the last completed checkpoint and discards the staged work (Flink's
    /// default of zero tolerable checkpoint failures).
    /// </summary>
    public long Trigger()
    {
        List<StreamTask> sources = [];
        long id = 0;
        long timedOut = 0;
        lock (_lock)
        {
            if (_stopped)
            {
                return 0;
            }
            if (_pending is not null)
            {
                if (_time.GetUtcNow() - _pending.Started < _options.Timeout)
                {
                    return 0;
                }
                Failed++;
                s_failures.Add(1, _jobTag, _jobIdTag);
                StopActivity(_pending, "timed out");
                timedOut = _pending.Id;
                _pending = null;
                _stopped = true;
            }
            else
            {
                foreach (var task in _tasks)
                {
                    if (task.IsSource && !task.Finished)
                    {
                        sources.Add(task);
                    }
                }
                if (sources.Count == 0)
                {
                    return 0; // Every source ended: the final checkpoint is taken when the job finishes.
                }
                id = ++_nextId;
                _pending = new Pending(id, _time.GetUtcNow()) { Activity = StartActivity(id) };
                foreach (var (task, final) in _final)
                {
                    _pending.Snapshots[task] = final;
                }
            }
        }
        if (timedOut > 0)
        {
            CheckpointLog.TimedOut(_logger, timedOut, _jobName, _jobId, _options.Timeout);
            _fail(new JobExecutionException($"Checkpoint #{timedOut} of job '{_jobName}' did not complete within {_options.Timeout} (CheckpointOptions.Timeout): a task did not acknowledge its barrier. The attempt fails and restarts from the last completed checkpoint."));
            return 0;
        }
        foreach (var source in sources)
        {
            source.TriggerCheckpoint(id);
        }
        return id;
    }

    public void Acknowledge(StreamTask task, long checkpointId, IReadOnlyList<OperatorSnapshot> snapshots)
    {
        Pending? complete;
        lock (_lock)
        {
            if (_pending is null || _pending.Id != checkpointId)
            {
                return; // Abandoned or already completed.
            }
            _pending.Snapshots[task] = snapshots;
            complete = TakeIfComplete();
        }
        CompleteInBackground(complete);
    }

    public void Decline(StreamTask task, long checkpointId, Exception error)
    {
        lock (_lock)
        {
            if (_pending is null || _pending.Id != checkpointId)
            {
                return; // Abandoned or already failed.
            }
            StopActivity(_pending, $"declined by task {task}");
            _pending = null;
            Failed++;
        }
        s_failures.Add(1, _jobTag, _jobIdTag);
        CheckpointLog.Declined(_logger, checkpointId, _jobName, _jobId, task.ToString(), error.Message, error);
        _fail(new JobExecutionException(
            $"Checkpoint #{checkpointId} of job '{_jobName}' failed: task {task} could not write its snapshot: {error.Message}. The attempt fails and restarts from the last completed checkpoint.", error));
    }

    /// <summary>
    /// A task finished. Its final snapshot stands in for it in the running checkpoint only if it has not acknowledged
    /// that checkpoint yet: an acknowledgement already given (with, say, a sink's staged output) belongs to the
    /// checkpoint and must not be replaced — the final snapshot's own committable is committed by a later checkpoint.
    /// </summary>
    public void Finished(StreamTask task, IReadOnlyList<OperatorSnapshot> finalSnapshots)
    {
        Pending? complete = null;
        lock (_lock)
        {
            _final[task] = finalSnapshots;
            if (_pending is not null && _pending.Snapshots.TryAdd(task, finalSnapshots))
            {
                complete = TakeIfComplete();
            }
        }
        CompleteInBackground(complete);
    }

    /// <summary>The pending checkpoint, removed, when every task acknowledged it; otherwise null. Caller holds the lock.</summary>
    private Pending? TakeIfComplete()
    {
        if (_pending is null || _pending.Snapshots.Count != _tasks.Count)
        {
            return null;
        }
        var complete = _pending;
        _pending = null;
        return complete;
    }

    /// <summary>
    /// Completes a checkpoint off the task thread that acknowledged last (writing it is I/O). Completions run one at a
    /// time, in checkpoint order: each one's retention step deletes older incomplete checkpoints, which must not be one
    /// still being written.
    /// </summary>
    private void CompleteInBackground(Pending? complete)
    {
        if (complete is null)
        {
            return;
        }
        lock (_lock)
        {
            _completions = CompleteAfterAsync(_completions, complete);
        }
    }

    private async Task CompleteAfterAsync(Task previous, Pending pending)
    {
        // Always yield: the caller is a task thread, which must not run store I/O. Previous completions never throw.
        await previous.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        await CompleteSafelyAsync(pending).ConfigureAwait(false);
    }

    /// <summary>
    /// After every task finished: writes the final checkpoint from the tasks' final snapshots and commits their
    /// staged output. Call once, from the code that observed the job's end (not a task thread).
    /// </summary>
    /// <exception cref="OperationCanceledException">The attempt was cancelled, or <paramref name="cancellationToken"/> was.</exception>
    public async Task CompleteFinalCheckpointAsync(CancellationToken cancellationToken)
    {
        Task inFlight;
        lock (_lock)
        {
            inFlight = _completions;
        }
        // Let a checkpoint still being completed finish first: completions are serialised and in order.
        await inFlight.ConfigureAwait(false);
        Pending final;
        lock (_lock)
        {
            _pending = null;
            final = new Pending(++_nextId, _time.GetUtcNow(), isFinal: true);
            foreach (var (task, snapshots) in _final)
            {
                final.Snapshots[task] = snapshots;
            }
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cancellation.Token);
        await CompleteAsync(final, linked.Token).ConfigureAwait(false);
    }

    private async Task CompleteSafelyAsync(Pending pending)
    {
        try
        {
            await CompleteAsync(pending, _cancellation.Token).ConfigureAwait(false);
            var sinceStart = _time.GetUtcNow() - pending.Started;
            var untilNext = _options.Interval - sinceStart;
            Arm(untilNext > _options.MinPause ? untilNext : _options.MinPause);
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            // The attempt ended (cancelled or failed elsewhere): the checkpoint stays incomplete and is cleaned up later.
        }
        catch (Exception e)
        {
            lock (_lock)
            {
                Failed++;
            }
            StopActivity(pending, e.Message);
            s_failures.Add(1, _jobTag, _jobIdTag);
            CheckpointLog.Failed(_logger, pending.Id, _jobName, _jobId, _options.Store.Location, e.Message, e);
            _fail(new JobExecutionException($"Checkpoint #{pending.Id} of job '{_jobName}' could not be completed in {_options.Store.Location}: {e.Message}", e));
        }
    }

    private async Task CompleteAsync(Pending pending, CancellationToken cancellationToken)
    {
        var store = _options.Store;
        var manifest = new CheckpointManifest
        {
            CheckpointId = pending.Id,
            Job = _jobName,
            CreatedMs = _time.GetUtcNow().ToUnixTimeMilliseconds(),
            KeyGroupCount = _keyGroupCount,
            Final = pending.IsFinal,
        };
        long bytes = 0;
        var ordinal = 0;
        foreach (var snapshots in pending.Snapshots.Values)
        {
            foreach (var snapshot in snapshots)
            {
                if (snapshot.IsEmpty)
                {
                    continue;
                }
                var data = snapshot.Encode();
                var name = BlobName(ordinal++, snapshot);
                await store.WriteBlobAsync(pending.Id, name, data, cancellationToken).ConfigureAwait(false);
                manifest.Blobs.Add(new ManifestBlob(snapshot.Uid, snapshot.Subtask, snapshot.Parallelism, name, data.Length,
                    snapshot.SharedFiles.Count > 0 ? snapshot.SharedFiles : null));
                bytes += data.Length;
            }
        }
        CheckpointFaultPoints.Reach(CheckpointPhase.BeforeManifest, pending.Id);
        await store.CommitManifestAsync(pending.Id, manifest.Encode(), cancellationToken).ConfigureAwait(false);
        _references[pending.Id] = new HashSet<string>(manifest.SharedFileNames, StringComparer.Ordinal);
        CheckpointFaultPoints.Reach(CheckpointPhase.BeforeCommit, pending.Id);
        Commit(pending.Id, pending.Snapshots.Values.SelectMany(static s => s));
        lock (_lock)
        {
            LastCompletedId = pending.Id;
            Completed++;
        }
        var duration = _time.GetUtcNow() - pending.Started;
        s_duration.Record(duration.TotalSeconds, _jobTag, _jobIdTag);
        s_size.Record(bytes, _jobTag, _jobIdTag);
        if (pending.Activity is { } activity)
        {
            activity.SetTag("checkpoint.size", bytes);
            activity.StopKeepingCurrent();
        }
        CheckpointLog.Completed(_logger, pending.Id, _jobName, _jobId, (long)duration.TotalMilliseconds, bytes);
        foreach (var task in _tasks)
        {
            if (!task.Finished)
            {
                task.PostCheckpointComplete(pending.Id);
            }
        }
        await RetainAsync(store, pending.Id, cancellationToken).ConfigureAwait(false);
        StatisticsCompleted?.Invoke(new CheckpointStatistics(pending.Id, pending.Started, duration, bytes, pending.IsFinal));
        CheckpointCompleted?.Invoke(pending.Id);
    }

    /// <summary>Commits the staged output recorded in <paramref name="snapshots"/> (idempotent: also used on restore).</summary>
    public void Commit(long checkpointId, IEnumerable<OperatorSnapshot> snapshots)
    {
        foreach (var snapshot in snapshots)
        {
            if (snapshot.Committable is { Length: > 0 } committable && _committerOf(snapshot.Uid) is { } commit)
            {
                commit(checkpointId, snapshot.Subtask, committable);
            }
        }
    }

    /// <summary>
    /// Deletes completed checkpoints beyond <see cref="CheckpointOptions.Retained"/> (oldest first), then the shared
    /// files they used that no retained checkpoint uses, then incomplete checkpoints older than <paramref name="newest"/>.
    /// </summary>
    /// <remarks>
    /// A checkpoint is deleted before its shared files, so a crash in between leaves orphans (deleted when the next
    /// attempt starts, <see cref="DeleteOrphanedSharedFilesAsync"/>), never a checkpoint that names a missing file.
    /// A checkpoint still being taken never depends on a file deleted here: a backend reuses only files of the last
    /// completed checkpoint it was notified of, and a file it still has was in every checkpoint since, including the
    /// newest completed one, which is always retained.
    /// </remarks>
    private async Task RetainAsync(ICheckpointStore store, long newest, CancellationToken cancellationToken)
    {
        var completed = await store.ListCompletedAsync(cancellationToken).ConfigureAwait(false);
        var drop = Math.Max(0, completed.Count - Math.Max(1, _options.Retained));
        if (drop > 0)
        {
            var references = await SharedReferencesAsync(store, completed, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < drop; i++)
            {
                await store.DeleteAsync(completed[i], cancellationToken).ConfigureAwait(false);
            }
            if (references is not null)
            {
                var inUse = new HashSet<string>(StringComparer.Ordinal);
                for (var i = drop; i < completed.Count; i++)
                {
                    inUse.UnionWith(references[completed[i]]);
                }
                for (var i = 0; i < drop; i++)
                {
                    foreach (var name in references[completed[i]])
                    {
                        if (inUse.Add(name))
                        {
                            await store.DeleteSharedAsync(name, cancellationToken).ConfigureAwait(false);
                        }
                    }
                    _references.Remove(completed[i]);
                }
            }
        }
        foreach (var id in await store.ListIncompleteAsync(cancellationToken).ConfigureAwait(false))
        {
            if (id < newest)
            {
                await store.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The shared files each of <paramref name="completed"/> uses, read from their manifests (remembered between
    /// calls); null when a manifest cannot be read — then no shared file is deleted this time.
    /// </summary>
    private async Task<Dictionary<long, HashSet<string>>?> SharedReferencesAsync(ICheckpointStore store, IReadOnlyList<long> completed, CancellationToken cancellationToken)
    {
        foreach (var id in completed)
        {
            if (!_references.ContainsKey(id))
            {
                if (await ReadReferencesAsync(store, id, cancellationToken).ConfigureAwait(false) is not { } names)
                {
                    return null;
                }
                _references[id] = names;
            }
        }
        return _references;
    }

    private static async Task<HashSet<string>?> ReadReferencesAsync(ICheckpointStore store, long id, CancellationToken cancellationToken)
    {
        try
        {
            var manifest = CheckpointManifest.Decode(await store.ReadManifestAsync(id, cancellationToken).ConfigureAwait(false), $"{store.Location} #{id}");
            return new HashSet<string>(manifest.SharedFileNames, StringComparer.Ordinal);
        }
        catch (Exception e) when (e is Sluice.State.Serialization.StateFormatException or IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Deletes the shared files of <paramref name="store"/> that no complete checkpoint uses: uploads of checkpoints
    /// that never completed (a crash or failure between an upload and the manifest), and files whose deletion a crash
    /// interrupted. Call only while no checkpoint is being taken into the store (before an attempt's tasks start).
    /// Deletes nothing when some manifest cannot be read. Returns the number of files deleted.
    /// </summary>
    public static async Task<int> DeleteOrphanedSharedFilesAsync(ICheckpointStore store, CancellationToken cancellationToken)
    {
        var shared = await store.ListSharedAsync(cancellationToken).ConfigureAwait(false);
        if (shared.Count == 0)
        {
            return 0;
        }
        var inUse = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in await store.ListCompletedAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await ReadReferencesAsync(store, id, cancellationToken).ConfigureAwait(false) is not { } names)
            {
                return 0;
            }
            inUse.UnionWith(names);
        }
        var deleted = 0;
        foreach (var name in shared)
        {
            if (!inUse.Contains(name))
            {
                try
                {
                    await store.DeleteSharedAsync(name, cancellationToken).ConfigureAwait(false);
                    deleted++;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Best effort: an orphan that cannot be deleted now holds nothing a restore needs; the next attempt retries it.
                }
            }
        }
        return deleted;
    }

    private void Arm(TimeSpan delay)
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }
            _timer ??= _time.CreateTimer(static s => ((CheckpointCoordinator)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer()
    {
        var id = Trigger();
        // A started checkpoint re-arms the timer when it completes (interval since its start, at least the min pause);
        // this arm only matters when none started or it never completes (then it is retried once the timeout passed).
        Arm(id == 0 ? _options.Interval : _options.Timeout);
    }

    private static string BlobName(int ordinal, OperatorSnapshot snapshot)
    {
        var safe = new StringBuilder();
        foreach (var c in snapshot.Uid)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }
        if (safe.Length > 60)
        {
            safe.Length = 60;
        }
        return $"{ordinal:D4}-{safe}-{snapshot.Subtask}.state";
    }

    /// <summary>Completes when no checkpoint is being completed (never faults). After <see cref="Dispose"/>, that is soon: store I/O is cancelled.</summary>
    public Task IdleAsync()
    {
        lock (_lock)
        {
            return _completions;
        }
    }

    /// <summary>Stops triggering and cancels store I/O still running (its checkpoint stays incomplete).</summary>
    public void Dispose()
    {
        s_live.TryRemove(this, out _);
        long abandoned;
        lock (_lock)
        {
            _stopped = true;
            _timer?.Dispose();
            abandoned = _pending?.Id ?? 0;
            if (_pending is not null)
            {
                StopActivity(_pending, "abandoned: the attempt ended");
            }
            _pending = null;
        }
        if (abandoned > 0)
        {
            CheckpointLog.Abandoned(_logger, abandoned, _jobName, _jobId);
        }
        _cancellation.Cancel();
        _cancellation.Dispose();
    }

    /// <summary>Starts checkpoint <paramref name="id"/>'s activity (null when nobody listens), leaving the caller's current activity as it was.</summary>
    private Activity? StartActivity(long id)
    {
        var previous = Activity.Current;
        var activity = SluiceTracing.Source.StartActivity(SluiceTracing.CheckpointActivity, ActivityKind.Internal, TraceParent);
        if (activity is null)
        {
            return null;
        }
        Activity.Current = previous;
        activity.DisplayName = $"checkpoint {id}";
        activity.SetTag("job", _jobName);
        activity.SetTag("job.id", _jobIdTag.Value);
        activity.SetTag("checkpoint.id", id);
        return activity;
    }

    /// <summary>Ends a checkpoint's activity as failed (once).</summary>
    private static void StopActivity(Pending pending, string why)
    {
        if (pending.Activity is { } activity)
        {
            activity.SetStatus(ActivityStatusCode.Error, why);
            activity.StopKeepingCurrent();
            pending.Activity = null;
        }
    }

    private sealed class Pending(long id, DateTimeOffset started, bool isFinal = false)
    {
        /// <summary>The checkpoint's activity, until it ends; null when nobody listens.</summary>
        public Activity? Activity { get; set; }

        public long Id { get; } = id;

        public DateTimeOffset Started { get; } = started;

        public bool IsFinal { get; } = isFinal;

        public Dictionary<StreamTask, IReadOnlyList<OperatorSnapshot>> Snapshots { get; } = [];
    }
}
