using Json.Schema;

namespace Sluice.Formats.Registry.Internal;

/// <summary>
/// Reading JsonSchema.Net's evaluation results for messages: the first failing instance location and its errors
/// (keyword → message). Shared by the json-registry deserializer and HTTP ingest's <c>?format=json-registry</c>. Stateless.
/// </summary>
internal static class JsonSchemaErrors
{
    /// <summary>The evaluation options that list every failing location (<see cref="OutputFormat.List"/>).</summary>
    public static EvaluationOptions Options { get; } = new() { OutputFormat = OutputFormat.List };

    /// <summary>The first instance location (a JSON pointer; empty for the root) with errors in <paramref name="results"/>
    /// (evaluated with <see cref="Options"/>), and those errors; the root and no errors when none is located.</summary>
    public static string FirstFailure(EvaluationResults results, out IReadOnlyDictionary<string, string> errors)
    {
        foreach (var detail in results.Details ?? [])
        {
            if (detail.Errors is { Count: > 0 } found)
            {
                errors = found;
                return detail.InstanceLocation.ToString();
            }
        }
        errors = new Dictionary<string, string>();
        return "";
    }

    /// <summary>A location as a dotted field path (<c>/address/city</c> → <c>address.city</c>), or null for the root.</summary>
    public static string? FieldOf(string location) => location.Length == 0 ? null : location.TrimStart('/').Replace('/', '.');

    /// <summary>The errors as <c>keyword: message; …</c> (or a plain "the schema refuses it" when there are none).</summary>
    public static string Describe(IReadOnlyDictionary<string, string> errors) =>
        errors.Count == 0 ? "the schema refuses it" : string.Join("; ", errors.Select(static e => $"{e.Key}: {e.Value}"));
}
