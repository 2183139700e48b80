using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Runtime.Checkpointing;

/// <summary>
/// The manifest of a completed checkpoint: which blob holds which operator subtask's state. Written last and
/// atomically; its presence is what makes a checkpoint complete. JSON, versioned by <see cref="FormatVersion"/>.
/// </summary>
internal sealed record CheckpointManifest
{
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    public long CheckpointId { get; init; }

    public string Job { get; init; } = "";

    public long CreatedMs { get; init; }

    public int KeyGroupCount { get; init; }

    /// <summary>True for the checkpoint taken when every task finished (the end of bounded input).</summary>
    public bool Final { get; init; }

    public List<ManifestBlob> Blobs { get; init; } = [];

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

/// <summary>One blob of a checkpoint: the state of one operator subtask.</summary>
internal sealed record ManifestBlob(string Uid, int Subtask, int Parallelism, string Name, long Bytes);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(CheckpointManifest))]
internal sealed partial class ManifestJson : JsonSerializerContext;
