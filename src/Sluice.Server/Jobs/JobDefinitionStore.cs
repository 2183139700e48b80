using Microsoft.Extensions.Logging;

namespace Sluice.Server.Jobs;

/// <summary>
/// The jobs the server resumes at its next start: one <see cref="JobDefinition"/> file per job, <c>&lt;id&gt;.json</c>
/// in the jobs directory, each written atomically (temp file, flush to disk, rename). Thread-safe: calls for different
/// jobs run concurrently; the caller serializes calls for one job. A SQL job's script may hold secret options
/// (<c>'password' = '…'</c>), so the directory is created readable by its owner only; views mask them
/// (<see cref="Sluice.Sql.SqlScripts.MaskSecrets"/>).
/// </summary>
internal sealed class JobDefinitionStore(string directory, ILogger logger)
{
    /// <summary>The directory holding the definitions.</summary>
    public string Directory { get; } = directory;

    /// <summary>Writes (or replaces) a job's definition durably.</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void Save(JobDefinition definition)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var path = PathOf(definition.Id);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(definition.ToJson());
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Forgets a job (it will not be resumed); a missing file is ignored.</summary>
    public void Delete(string id) => File.Delete(PathOf(id));

    /// <summary>
    /// Reads every definition, ordered by submission time. A file that cannot be read is logged and skipped (renamed
    /// <c>*.json.damaged</c>, so it is not read again), so one bad file does not keep the others from resuming.
    /// </summary>
    public IReadOnlyList<JobDefinition> LoadAll()
    {
        var definitions = new List<JobDefinition>();
        if (!System.IO.Directory.Exists(Directory))
        {
            return definitions;
        }
        foreach (var path in System.IO.Directory.GetFiles(Directory, "*.json"))
        {
            try
            {
                definitions.Add(JobDefinition.FromJson(File.ReadAllBytes(path), path));
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                JobsLog.DefinitionUnreadable(logger, path, e.Message);
                File.Move(path, path + ".damaged", overwrite: true);
            }
        }
        definitions.Sort(static (a, b) => a.SubmittedAt.CompareTo(b.SubmittedAt));
        return definitions;
    }

    private string PathOf(string id) => Path.Combine(Directory, id + ".json");
}
