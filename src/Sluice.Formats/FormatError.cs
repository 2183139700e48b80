namespace Sluice.Formats;

/// <summary>
/// Why one record could not be decoded: a one-sentence <see cref="Reason"/> and, when one field is at fault, its
/// <see cref="FieldPath"/> (<c>address.zip</c>, <c>tags[2]</c>, <c>attributes['color']</c>). Created only on the failure
/// path; immutable.
/// </summary>
/// <param name="Reason">One sentence saying what is wrong (it names the field when there is one).</param>
/// <param name="FieldPath">The path of the offending field from the top-level row, or null when the whole record is at fault.</param>
public sealed record FormatError(string Reason, string? FieldPath = null)
{
    /// <summary>The reason, prefixed with the field path when there is one: <c>Field 'address.zip': …</c>.</summary>
    public string Message => FieldPath is null ? Reason : $"Field '{FieldPath}': {Reason}";

    /// <summary>
    /// The dead-letter kind of this error: <see cref="DeadLetterKind.Schema"/> when a field is at fault (the record
    /// decoded, but a field does not fit the schema: missing, null, wrong type, out of range) or when set so;
    /// <see cref="DeadLetterKind.Parse"/> when the record as a whole could not be read. Init to override.
    /// </summary>
    public DeadLetterKind Kind
    {
        get => _kind ?? (FieldPath is null ? DeadLetterKind.Parse : DeadLetterKind.Schema);
        init => _kind = value;
    }

    private readonly DeadLetterKind? _kind;

    /// <summary>Returns <see cref="Message"/>.</summary>
    public override string ToString() => Message;

    /// <summary>This error one level down: the path is prefixed with <paramref name="field"/> (<c>zip</c> → <c>address.zip</c>).</summary>
    internal FormatError InField(string field) =>
        this with { FieldPath = FieldPath is null ? field : FieldPath[0] == '[' ? field + FieldPath : field + "." + FieldPath };

    /// <summary>This error inside an element: the path is prefixed with <c>[index]</c>.</summary>
    internal FormatError AtIndex(int index) =>
        this with { FieldPath = FieldPath is null ? $"[{index}]" : FieldPath[0] == '[' ? $"[{index}]{FieldPath}" : $"[{index}].{FieldPath}" };

    /// <summary>This error inside a map value: the path is prefixed with <c>['key']</c>.</summary>
    internal FormatError AtKey(string key) =>
        this with { FieldPath = FieldPath is null ? $"['{key}']" : FieldPath[0] == '[' ? $"['{key}']{FieldPath}" : $"['{key}'].{FieldPath}" };
}
