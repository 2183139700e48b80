using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Orchestration.Runs;

/// <summary>
/// The durable run history under a state directory (format 1, docs/orchestration.md "Run store"):
/// <code>
/// dags/{dag}/runs/{logical date, yyyyMMddTHHmmss.fffZ}/run.json          the DagRun
/// dags/{dag}/runs/{logical date}/tasks/{task}.json                    a TaskInstance with every attempt
/// dags/{dag}/runs/{logical date}/logs/{task}/{attempt}.log             an attempt's log
/// </code>
/// Each JSON file is <c>{"format": 1, …}</c>, written whole to a temporary file, fsynced and renamed over the old one,
/// so a reader (or a restarted scheduler) sees the old or the new version, never a torn one. A run is created with
/// link(2) (<see cref="ExclusiveFile"/>): of two creators of the same
/// (DAG, logical date), exactly one wins — across threads and processes. Thread-safe for distinct files; the scheduler
/// serialises writes of one run.
/// </summary>
public class RunStore
{
    /// <summary>The format written; readers accept it and refuse newer ones, naming the file.</summary>
    public const int Format = 1;

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Readable '+' in offsets and run ids (the files are read by people too); nothing here is embedded in HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Opens (creating) the store at <paramref name="stateDirectory"/>.</summary>
    public RunStore(string stateDirectory)
    {
        ArgumentNullException.ThrowIfNull(stateDirectory);
        Directory = Path.GetFullPath(stateDirectory);
        ExclusiveFile.CreateDirectory(Directory);
    }

    /// <summary>The state directory (full path).</summary>
    public string Directory { get; }

    /// <summary>
    /// Creates <paramref name="run"/> unless the DAG already has a run for its logical date; returns false and the
    /// existing run then. Atomic across threads and processes.
    /// </summary>
    public bool TryCreateRun(DagRun run, out DagRun existing)
    {
        ArgumentNullException.ThrowIfNull(run);
        var path = RunFile(run.DagId, run.LogicalDate);
        ExclusiveFile.CreateDirectory(Path.GetDirectoryName(path)!);
        if (WriteFile(path, Serialize(new RunDocument(Format, run)), createNew: true))
        {
            existing = run;
            return true;
        }
        existing = GetRun(run.DagId, run.LogicalDate) ?? throw new RunStoreException($"The run file {path} exists but cannot be read.");
        return false;
    }

    /// <summary>Replaces a run created before (same DAG and logical date).</summary>
    public void UpdateRun(DagRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var path = RunFile(run.DagId, run.LogicalDate);
        if (!File.Exists(path))
        {
            throw new RunStoreException($"DAG '{run.DagId}' has no run for {run.RunId} ({path}) to update.");
        }
        WriteFile(path, Serialize(new RunDocument(Format, run)), createNew: false);
    }

    /// <summary>The run of <paramref name="dagId"/> for <paramref name="logicalDate"/>, or null.</summary>
    public DagRun? GetRun(string dagId, DateTimeOffset logicalDate)
    {
        var path = RunFile(dagId, logicalDate);
        return File.Exists(path) ? Read<RunDocument>(path).Run : null;
    }

    /// <summary>The run of <paramref name="dagId"/> named <paramref name="runId"/>, or null.</summary>
    public DagRun? FindRun(string dagId, string runId) => ListRuns(dagId).FirstOrDefault(r => r.RunId == runId);

    /// <summary>Every run of <paramref name="dagId"/>, oldest logical date first.</summary>
    public IReadOnlyList<DagRun> ListRuns(string dagId)
    {
        var runs = Path.Combine(Directory, "dags", dagId, "runs");
        if (!System.IO.Directory.Exists(runs))
        {
            return [];
        }
        return [.. System.IO.Directory.EnumerateDirectories(runs)
            .Select(d => Path.Combine(d, "run.json"))
            .Where(File.Exists)
            .Select(p => Read<RunDocument>(p).Run)
            .OrderBy(r => r.LogicalDate)];
    }

    /// <summary>The DAG ids that have runs.</summary>
    public IReadOnlyList<string> ListDags()
    {
        var dags = Path.Combine(Directory, "dags");
        return System.IO.Directory.Exists(dags) ? [.. System.IO.Directory.EnumerateDirectories(dags).Select(Path.GetFileName).Order(StringComparer.Ordinal)!] : [];
    }

    /// <summary>The task instances of a run (those that exist: a task that never became ready has none).</summary>
    public IReadOnlyList<TaskInstance> ListTasks(string dagId, DateTimeOffset logicalDate)
    {
        var tasks = Path.Combine(RunDirectory(dagId, logicalDate), "tasks");
        if (!System.IO.Directory.Exists(tasks))
        {
            return [];
        }
        return [.. System.IO.Directory.EnumerateFiles(tasks, "*.json").Select(p => Read<TaskDocument>(p).Task).OrderBy(t => t.TaskId, StringComparer.Ordinal)];
    }

    /// <summary>Writes <paramref name="task"/> (created or replaced) for the run at <paramref name="logicalDate"/>.</summary>
    public void SaveTask(DateTimeOffset logicalDate, TaskInstance task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var path = Path.Combine(RunDirectory(task.DagId, logicalDate), "tasks", task.TaskId + ".json");
        ExclusiveFile.CreateDirectory(Path.GetDirectoryName(path)!);
        WriteFile(path, Serialize(new TaskDocument(Format, task)), createNew: false);
    }

    /// <summary>The log file of an attempt, relative to <see cref="Directory"/>.</summary>
    public static string LogFile(string dagId, DateTimeOffset logicalDate, string taskId, int attempt) =>
        Path.Combine("dags", dagId, "runs", Key(logicalDate), "logs", taskId, attempt.ToString(CultureInfo.InvariantCulture) + ".log");

    /// <summary>The full path of a relative path of this store.</summary>
    public string FullPath(string relative) => Path.Combine(Directory, relative);

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> durably (temp file, fsync, rename). With
    /// <paramref name="createNew"/>, fails (returns false) when the file exists, atomically.
    /// </summary>
    internal virtual bool WriteFile(string path, byte[] content, bool createNew)
    {
        var temp = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            var published = true;
            if (createNew)
            {
                published = ExclusiveFile.TryPublish(temp, path);
            }
            else
            {
                File.Move(temp, path, overwrite: true);
            }
            if (published)
            {
                // The new name must reach disk too, or a crash can bring back the old file (or none).
                ExclusiveFile.SyncDirectory(Path.GetDirectoryName(path)!);
            }
            return published;
        }
        catch
        {
            // No *.tmp is left behind by a failed write (a full disk, a name taken by a folder).
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Reads a whole store file (a seam for tests that count or fail reads).</summary>
    internal virtual byte[] ReadFile(string path) => File.ReadAllBytes(path);

    private string RunDirectory(string dagId, DateTimeOffset logicalDate) => Path.Combine(Directory, "dags", dagId, "runs", Key(logicalDate));

    private string RunFile(string dagId, DateTimeOffset logicalDate) => Path.Combine(RunDirectory(dagId, logicalDate), "run.json");

    private static string Key(DateTimeOffset logicalDate) =>
        logicalDate.UtcDateTime.ToString("yyyyMMdd'T'HHmmss.fff'Z'", CultureInfo.InvariantCulture);

    internal static byte[] Serialize<T>(T document) => JsonSerializer.SerializeToUtf8Bytes(document, JsonOptions);

    private T Read<T>(string path)
        where T : IStoreDocument
    {
        var bytes = ReadFile(path);
        // The format first: a newer file says so instead of failing on a field this version does not know.
        int format;
        try
        {
            using var json = JsonDocument.Parse(bytes);
            format = json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("format", out var f) && f.TryGetInt32(out var n)
                ? n
                : throw new JsonException("no integer \"format\" field");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The run store file {path} is not a valid format-{Format} document: {e.Message}", e);
        }
        if (format is < 1 or > Format)
        {
            throw new InvalidDataException($"The run store file {path} has format {format}; this Sluice reads format 1 to {Format}.");
        }
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, JsonOptions) ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The run store file {path} is not a valid format-{Format} document: {e.Message}", e);
        }
    }

    private interface IStoreDocument
    {
        int Format { get; }
    }

    internal sealed record RunDocument(int Format, DagRun Run) : IStoreDocument;

    internal sealed record TaskDocument(int Format, TaskInstance Task) : IStoreDocument;
}
