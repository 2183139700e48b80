using Sluice.SchemaRegistry.Compatibility;
using Sluice.SchemaRegistry.Schemas;

namespace Sluice.SchemaRegistry.Storage;

/// <summary>The registry's modes (Confluent's <c>/mode</c>).</summary>
internal enum RegistryMode
{
    /// <summary><c>READWRITE</c>: the default; registrations get new ids.</summary>
    ReadWrite,

    /// <summary><c>READONLY</c>: every write is refused with 42205.</summary>
    ReadOnly,

    /// <summary><c>IMPORT</c>: registrations give their id and version (migrating from another registry).</summary>
    Import,
}

/// <summary>Confluent's names of <see cref="SchemaType"/> values (<c>AVRO</c>, <c>JSON</c>, <c>PROTOBUF</c>).</summary>
internal static class SchemaTypeNames
{
    /// <summary>The wire name.</summary>
    public static string Name(SchemaType type) => type switch
    {
        SchemaType.Avro => "AVRO",
        SchemaType.Json => "JSON",
        SchemaType.Protobuf => "PROTOBUF",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown schema type."),
    };

    /// <summary>The type a wire name (any case) stands for; null when unknown.</summary>
    public static SchemaType? Parse(string? name) => name?.ToUpperInvariant() switch
    {
        "AVRO" => SchemaType.Avro,
        "JSON" => SchemaType.Json,
        "PROTOBUF" => SchemaType.Protobuf,
        _ => null,
    };
}

/// <summary>Confluent's names of <see cref="CompatibilityLevel"/> values (<c>BACKWARD_TRANSITIVE</c>…).</summary>
internal static class CompatibilityLevelNames
{
    /// <summary>The wire name.</summary>
    public static string Name(CompatibilityLevel level) => level switch
    {
        CompatibilityLevel.None => "NONE",
        CompatibilityLevel.Backward => "BACKWARD",
        CompatibilityLevel.BackwardTransitive => "BACKWARD_TRANSITIVE",
        CompatibilityLevel.Forward => "FORWARD",
        CompatibilityLevel.ForwardTransitive => "FORWARD_TRANSITIVE",
        CompatibilityLevel.Full => "FULL",
        CompatibilityLevel.FullTransitive => "FULL_TRANSITIVE",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown compatibility level."),
    };

    /// <summary>The level a wire name (any case) stands for; null when unknown.</summary>
    public static CompatibilityLevel? Parse(string? name) => name?.ToUpperInvariant() switch
    {
        "NONE" => CompatibilityLevel.None,
        "BACKWARD" => CompatibilityLevel.Backward,
        "BACKWARD_TRANSITIVE" => CompatibilityLevel.BackwardTransitive,
        "FORWARD" => CompatibilityLevel.Forward,
        "FORWARD_TRANSITIVE" => CompatibilityLevel.ForwardTransitive,
        "FULL" => CompatibilityLevel.Full,
        "FULL_TRANSITIVE" => CompatibilityLevel.FullTransitive,
        _ => null,
    };
}

/// <summary>Confluent's names of <see cref="RegistryMode"/> values.</summary>
internal static class RegistryModeNames
{
    /// <summary>The wire name.</summary>
    public static string Name(RegistryMode mode) => mode switch
    {
        RegistryMode.ReadWrite => "READWRITE",
        RegistryMode.ReadOnly => "READONLY",
        RegistryMode.Import => "IMPORT",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown mode."),
    };

    /// <summary>The mode a wire name (any case) stands for; null when unknown.</summary>
    public static RegistryMode? Parse(string? name) => name?.ToUpperInvariant() switch
    {
        "READWRITE" => RegistryMode.ReadWrite,
        "READONLY" => RegistryMode.ReadOnly,
        "IMPORT" => RegistryMode.Import,
        _ => null,
    };
}
