using System.Text;

namespace Sluice.Connectors.DuckDb.Sinks;

/// <summary>One staged file of a <see cref="StagedBatch"/>.</summary>
/// <param name="Staged">The file name inside the sink's staging directory.</param>
/// <param name="Final">Where the file goes when committed, relative to the sink's table directory ("" when the
/// file is loaded into a table instead).</param>
/// <param name="Rows">How many rows the file holds.</param>
internal sealed record StagedFile(string Staged, string Final, long Rows);

/// <summary>
/// The committable of the DuckDB and Parquet sinks: what one writer staged for one checkpoint. Encoded explicitly with a
/// version byte: <c>[1][writer: string][subtask: int32][sequence: int64][count: int32]{[staged][final][rows: int64]}</c>
/// (strings as .NET <see cref="BinaryWriter"/> length-prefixed UTF-8, integers little-endian); a batch with dead
/// letters is version 2: the same, then <c>[staged][final][rows: int64]</c> of the dead-letter file. A batch without
/// dead letters is still written as version 1, byte for byte as before.
/// </summary>
/// <param name="Writer">The writer's random id (hex): makes names and commit records unique across jobs and restores.</param>
/// <param name="Subtask">The writer's subtask index.</param>
/// <param name="Sequence">The writer's sequence (see the sinks' remarks).</param>
/// <param name="Files">The staged files.</param>
/// <param name="DeadLetters">The staged Parquet file of the rows refused by schema evolution
/// (<see cref="DeadLetterFile"/>), or null when none were.</param>
internal sealed record StagedBatch(string Writer, int Subtask, long Sequence, IReadOnlyList<StagedFile> Files, StagedFile? DeadLetters = null)
{
    private const byte Version = 1;
    private const byte VersionWithDeadLetters = 2;

    /// <summary>The total rows of all files.</summary>
    public long Rows => Files.Sum(f => f.Rows);

    /// <summary>Serializes the batch.</summary>
    public byte[] Encode()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(DeadLetters is null ? Version : VersionWithDeadLetters);
            writer.Write(Writer);
            writer.Write(Subtask);
            writer.Write(Sequence);
            writer.Write(Files.Count);
            foreach (var file in Files)
            {
                writer.Write(file.Staged);
                writer.Write(file.Final);
                writer.Write(file.Rows);
            }
            if (DeadLetters is { } letters)
            {
                writer.Write(letters.Staged);
                writer.Write(letters.Final);
                writer.Write(letters.Rows);
            }
        }
        return stream.ToArray();
    }

    /// <summary>Reads a batch written by <see cref="Encode"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not such a batch, or name a path outside the sink's directories.</exception>
    public static StagedBatch Decode(byte[] committable, string sinkKind)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(committable, writable: false), Encoding.UTF8);
            var version = reader.ReadByte();
            if (version is not (Version or VersionWithDeadLetters))
            {
                throw new InvalidDataException($"Unknown {sinkKind} committable version {version}.");
            }
            var writer = reader.ReadString();
            var subtask = reader.ReadInt32();
            var sequence = reader.ReadInt64();
            var count = reader.ReadInt32();
            var files = new List<StagedFile>(Math.Min(count, 1024));
            for (var i = 0; i < count; i++)
            {
                files.Add(ReadFile(reader, sinkKind));
            }
            var deadLetters = version == VersionWithDeadLetters ? ReadFile(reader, sinkKind) : null;
            return new StagedBatch(writer, subtask, sequence, files, deadLetters);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"A {sinkKind} committable is truncated.", e);
        }
    }

    private static StagedFile ReadFile(BinaryReader reader, string sinkKind)
    {
        var file = new StagedFile(reader.ReadString(), reader.ReadString(), reader.ReadInt64());
        if (Path.GetFileName(file.Staged) != file.Staged || Path.IsPathRooted(file.Final)
            || file.Final.Split('/').Any(part => part is ".." or "."))
        {
            throw new InvalidDataException($"A {sinkKind} committable names a path outside the sink's directory.");
        }
        return file;
    }
}
