using System.Diagnostics.CodeAnalysis;
using System.Text;
using Sluice.Log;

namespace Sluice.Connectors.Log;

/// <summary>
/// Decodes the record value as strict UTF-8 text. Invalid UTF-8 and tombstones (no value) are reported as errors;
/// an empty value is the empty string. Thread-safe.
/// </summary>
public sealed class Utf8StringLogDeserializer : ILogDeserializer<string>
{
    private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The shared instance.</summary>
    public static Utf8StringLogDeserializer Instance { get; } = new();

    /// <inheritdoc />
    public bool TryDeserialize(TopicPartition source, in LogRecordView record, [MaybeNullWhen(false)] out string value, [NotNullWhen(false)] out string? error)
    {
        if (!record.HasValue)
        {
            value = default;
            error = "The record has no value (a tombstone); expected UTF-8 text.";
            return false;
        }
        try
        {
            value = s_strict.GetString(record.Value);
        }
        catch (DecoderFallbackException e)
        {
            value = default;
            error = $"The value is not valid UTF-8: {e.Message}";
            return false;
        }
        error = null;
        return true;
    }
}
