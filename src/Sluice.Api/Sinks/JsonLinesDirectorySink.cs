using System.Text.Json.Serialization.Metadata;
using Sluice.Formats;

namespace Sluice.Sinks;

/// <summary>
/// Writes one JSON document per line into part files (<c>part-&lt;subtask&gt;-&lt;checkpoint:D10&gt;.jsonl</c>) of a
/// directory, exactly once: the <see cref="PartFileSink{T}"/> with <see cref="MessageSerializers.Json{T}"/>, whose
/// remarks give the commit protocol. A null record cannot be written (it fails the job).
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
/// <remarks>
/// Requirement: one job per directory (the staging area is shared by its subtasks and cleaned on every start). The
/// sink object keeps the restored checkpoint id between <see cref="PartFileSink{T}.AbortPending"/> and the writers'
/// creation, so it must not be shared by two jobs. Thread-safe otherwise.
/// </remarks>
/// <param name="directory">The output directory; created if missing.</param>
/// <param name="typeInfo">Source-generated (or reflection) metadata for <typeparamref name="T"/>; null uses web defaults.</param>
public sealed class JsonLinesDirectorySink<T>(string directory, JsonTypeInfo<T>? typeInfo = null)
    : PartFileSink<T>(directory, MessageSerializers.Json(typeInfo), FileExtension)
{
    /// <summary>The committed files' extension.</summary>
    public const string FileExtension = ".jsonl";

    /// <summary>The committed part files in <paramref name="directory"/>, ordered by name (subtask, then checkpoint).</summary>
    /// <param name="directory">A directory written by this sink.</param>
    public static IReadOnlyList<string> CommittedFiles(string directory) => CommittedFiles(directory, FileExtension);
}
