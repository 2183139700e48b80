namespace Sluice.Formats.Registry.Avro;

/// <summary>
/// Bad Avro data met while decoding one record (truncated body, bad varint, a union branch out of range, a value the
/// reader cannot hold). Thrown inside the codec only and caught by the deserializer, which returns it as a
/// <see cref="FormatError"/> naming the field path; never escapes <c>TryDeserialize</c>.
/// </summary>
internal sealed class AvroDataException : Exception
{
    public AvroDataException(string reason, string? fieldPath = null)
        : base(reason)
    {
        FieldPath = fieldPath;
    }

    /// <summary>The path of the field being decoded, from the top-level row; null when not known yet.</summary>
    public string? FieldPath { get; }

    public static AvroDataException Truncated(int position) =>
        new($"The Avro body ends at byte {position} in the middle of a value (truncated record).");

    /// <summary>This error one level down: the path is prefixed with <paramref name="field"/>.</summary>
    public AvroDataException InField(string field) =>
        new(Message, FieldPath is null ? field : FieldPath[0] == '[' ? field + FieldPath : field + "." + FieldPath);

    /// <summary>This error inside an element: the path is prefixed with <c>[index]</c>.</summary>
    public AvroDataException AtIndex(int index) =>
        new(Message, FieldPath is null ? $"[{index}]" : FieldPath[0] == '[' ? $"[{index}]{FieldPath}" : $"[{index}].{FieldPath}");
}
