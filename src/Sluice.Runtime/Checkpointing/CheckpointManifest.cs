using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Runtime.Checkpointing;

/// <summary>
/// The manifest of a completed checkpoint: which blob holds which operator subtask's state, and which shared files
/// (incremental RocksDB checkpoints) each blob uses. Written last and atomically; its presence is what makes a
/// checkpoint complete. JSON, versioned by <see cref="FormatVersion"/>: version 2 added <see cref="ManifestBlob.SharedFiles"/>
/// (absent when a blob uses none); version 1 is still read. Pinned by golden tests.
/// </summary>
internal sealed record CheckpointManifest
{
    public const int CurrentFormatVersion = 2;

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    public long CheckpointId { get; init; }

    public string Job { get; init; } = "";

    public long CreatedMs { get; init; }

    public int KeyGroupCount { get; init; }

    /// <summary>True for the checkpoint taken when every task finished (the end of bounded input).</summary>
    public bool Final { get; init; }

    public List<ManifestBlob> Blobs { get; init; } = [];

    /// <summary>Names of every shared file some blob uses.</summary>
    [JsonIgnore]
    public IEnumerable<string> SharedFileNames => Blobs.SelectMany(static b => b.SharedFiles ?? []).Select(static f => f.Name);

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this, ManifestJson.Default.CheckpointManifest);

    /// <exception cref="Sluice.State.Serialization.StateFormatException">Unreadable or of an unknown version.</exception>
    public static CheckpointManifest Decode(byte[] bytes, string source)
    {
        CheckpointManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(bytes, ManifestJson.Default.CheckpointManifest);
        }
        catch (JsonException e)
        {
            throw new Sluice.State.Serialization.StateFormatException($"The checkpoint manifest '{source}' is not valid JSON: {e.Message}", e);
        }
        if (manifest is null || manifest.FormatVersion < 1 || manifest.FormatVersion > CurrentFormatVersion)
        {
            throw new Sluice.State.Serialization.StateFormatException(
                $"The checkpoint manifest '{source}' has format version {manifest?.FormatVersion}; this release reads versions 1 to {CurrentFormatVersion}.");
        }
        return manifest;
    }
}

/// <summary>One blob of a checkpoint: the state of one operator subtask, and the shared files its state uses (null: none).</summary>
internal sealed record ManifestBlob(string Uid, int Subtask, int Parallelism, string Name, long Bytes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<SharedFileRef>? SharedFiles = null);

/// <summary>
/// A shared file of the checkpoint store that a snapshot uses: its name, its size in bytes, and the CRC-32C of its
/// content, checked when the file is read back.
/// </summary>
internal sealed record SharedFileRef(string Name, long Bytes, uint Crc32C);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(CheckpointManifest))]
internal sealed partial class ManifestJson : JsonSerializerContext;
