using System.Text.Json.Serialization.Metadata;
using Sluice.Formats;

namespace Sluice.Sources;

/// <summary>
/// A <see cref="FileSource{T}"/> of JSON lines: one JSON document per line of a UTF-8 file, decoded with
/// System.Text.Json (<see cref="MessageDeserializers.Json{T}"/>). Blank lines are skipped; a line that does not parse
/// becomes a <see cref="DeadLetter"/> naming the file, line number, error and JSON path.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public sealed class JsonLinesFileSource<T> : ISource<T>, Lineage.ILineageDataset
{
    private readonly FileSource<T> _file;

    /// <summary>Creates the source.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="typeInfo">Source-generated (or reflection) metadata for <typeparamref name="T"/>; null uses web defaults.</param>
    public JsonLinesFileSource(string path, JsonTypeInfo<T>? typeInfo = null) => _file = new FileSource<T>(path, MessageDeserializers.Json(typeInfo));

    /// <inheritdoc />
    public bool IsBounded => true;

    /// <inheritdoc />
    public IReadOnlyList<Lineage.LineageDataset> GetLineageDatasets() => _file.GetLineageDatasets();

    /// <inheritdoc />
    public int MaxParallelism => 1;

    /// <inheritdoc />
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public ISourceReader<T> CreateReader(SourceReaderContext context) => _file.CreateReader(context);
}
