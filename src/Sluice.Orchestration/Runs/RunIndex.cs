namespace Sluice.Orchestration.Runs;

/// <summary>
/// The scheduler's in-memory copy of the run history: a DAG's runs are read from the <see cref="RunStore"/> once (on
/// first use), a run's task instances once (when first needed), and every write made through this index goes to the
/// store first and then, only if it succeeded, to the copy. A write that throws may still have reached the disk (the
/// file was renamed into place but the directory fsync failed), so it drops the DAG's copy instead: the next use reads
/// the DAG again and sees whatever the disk holds. So the copy equals the disk after every successful write, and is
/// re-read after a failed one. Sound because
/// the scheduler holding the state directory's lock is the only writer (<c>sluice dags status</c> and the API only
/// read). A DAG whose files cannot be read stays unloaded and is read again on the next use. Thread-safe (one lock).
/// </summary>
internal sealed class RunIndex(RunStore store)
{
    private readonly object _sync = new();
    private readonly Dictionary<string, DagRuns> _dags = new(StringComparer.Ordinal);

    /// <summary>Every run of <paramref name="dagId"/>, oldest logical date first (a copy: safe to enumerate while writing).</summary>
    public IReadOnlyList<DagRun> Runs(string dagId)
    {
        lock (_sync)
        {
            return [.. Load(dagId).Runs.Values];
        }
    }

    /// <summary>
    /// The queued and running runs of <paramref name="dagId"/>, oldest logical date first (a copy). Kept apart so that a
    /// pass costs what is active, not the length of the history.
    /// </summary>
    public IReadOnlyList<DagRun> ActiveRuns(string dagId)
    {
        lock (_sync)
        {
            return [.. Load(dagId).Active.Values];
        }
    }

    /// <summary>The run of <paramref name="dagId"/> at <paramref name="logicalDate"/>, or null.</summary>
    public DagRun? GetRun(string dagId, DateTimeOffset logicalDate)
    {
        lock (_sync)
        {
            return Load(dagId).Runs.GetValueOrDefault(logicalDate);
        }
    }

    /// <summary>
    /// Creates <paramref name="run"/> unless its DAG has a run at its logical date (then false and that run). A run
    /// the copy already holds costs no store access.
    /// </summary>
    public bool TryCreateRun(DagRun run, out DagRun existing)
    {
        lock (_sync)
        {
            DagRuns? runs;
            try
            {
                runs = Load(run.DagId);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                // Another run's unreadable file must not block a trigger: the store's exclusive create still keeps one
                // run per logical date, and the DAG's next pass reports (and counts) the unreadable file.
                runs = null;
            }
            if (runs is not null && runs.Runs.TryGetValue(run.LogicalDate, out var known))
            {
                existing = known;
                return false;
            }
            bool created;
            try
            {
                created = store.TryCreateRun(run, out existing);
            }
            catch
            {
                Forget(run.DagId);
                throw;
            }
            runs?.Put(existing);
            return created;
        }
    }

    /// <summary>Replaces a run in the store, then in the copy.</summary>
    public void UpdateRun(DagRun run)
    {
        lock (_sync)
        {
            var runs = Load(run.DagId);
            try
            {
                store.UpdateRun(run);
            }
            catch
            {
                Forget(run.DagId);
                throw;
            }
            runs.Put(run);
        }
    }

    /// <summary>The task instances of a run, by task id (a copy).</summary>
    public Dictionary<string, TaskInstance> Tasks(string dagId, DateTimeOffset logicalDate)
    {
        lock (_sync)
        {
            return new Dictionary<string, TaskInstance>(LoadTasks(dagId, logicalDate), StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// The task instances of a run ordered by task id (a copy) when the copy holds them (a queued or running run whose
    /// tasks were read or written), else null: nothing is read from the store.
    /// </summary>
    public IReadOnlyList<TaskInstance>? TryListTasks(string dagId, DateTimeOffset logicalDate)
    {
        lock (_sync)
        {
            if (!_dags.TryGetValue(dagId, out var runs) || !runs.Tasks.TryGetValue(logicalDate, out var tasks))
            {
                return null;
            }
            var list = new List<TaskInstance>(tasks.Values);
            list.Sort(static (a, b) => string.CompareOrdinal(a.TaskId, b.TaskId));
            return list;
        }
    }

    /// <summary>Writes a task instance to the store, then to the copy.</summary>
    public void SaveTask(DateTimeOffset logicalDate, TaskInstance task)
    {
        lock (_sync)
        {
            var tasks = LoadTasks(task.DagId, logicalDate);
            try
            {
                store.SaveTask(logicalDate, task);
            }
            catch
            {
                Forget(task.DagId);
                throw;
            }
            tasks[task.TaskId] = task;
        }
    }

    /// <summary>
    /// Drops <paramref name="dagId"/>'s copy after a write that threw: the write may or may not be on disk, so the next
    /// use reads the DAG again rather than trust either version.
    /// </summary>
    private void Forget(string dagId) => _dags.Remove(dagId);

    private DagRuns Load(string dagId)
    {
        if (!_dags.TryGetValue(dagId, out var runs))
        {
            // Read first: a DAG with an unreadable file stays unloaded (the exception goes to the caller).
            var read = store.ListRuns(dagId);
            runs = new DagRuns();
            foreach (var run in read)
            {
                runs.Put(run);
            }
            _dags[dagId] = runs;
        }
        return runs;
    }

    private Dictionary<string, TaskInstance> LoadTasks(string dagId, DateTimeOffset logicalDate)
    {
        var runs = Load(dagId);
        if (!runs.Tasks.TryGetValue(logicalDate, out var tasks))
        {
            tasks = store.ListTasks(dagId, logicalDate).ToDictionary(t => t.TaskId, StringComparer.Ordinal);
            runs.Tasks[logicalDate] = tasks;
        }
        return tasks;
    }

    /// <summary>
    /// One DAG's runs by logical date (ordered), the unfinished ones among them, and the task instances of the runs read
    /// so far (dropped when a run finishes: a finished run is read again only by a backfill that re-runs it).
    /// </summary>
    private sealed class DagRuns
    {
        public SortedList<DateTimeOffset, DagRun> Runs { get; } = [];

        public SortedList<DateTimeOffset, DagRun> Active { get; } = [];

        public Dictionary<DateTimeOffset, Dictionary<string, TaskInstance>> Tasks { get; } = [];

        public void Put(DagRun run)
        {
            Runs[run.LogicalDate] = run;
            if (run.IsFinished)
            {
                Active.Remove(run.LogicalDate);
                Tasks.Remove(run.LogicalDate);
            }
            else
            {
                Active[run.LogicalDate] = run;
            }
        }
    }
}
