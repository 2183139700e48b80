using System.Text.Json.Serialization;

namespace Sluice.Plans;

/// <summary>
/// Source-generated JSON metadata of <see cref="PlanDescription"/>: no reflection at run time (trimming- and AOT-safe).
/// camelCase names, null properties omitted, indented with two spaces and LF line ends on every OS.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    IndentSize = 2,
    NewLine = "\n")]
[JsonSerializable(typeof(PlanDescription))]
internal sealed partial class PlanJsonContext : JsonSerializerContext;
