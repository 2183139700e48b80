namespace Sluice.Formats;

/// <summary>
/// Names the <see cref="RowFormat"/> types an assembly ships, so <see cref="RowFormats"/> finds them when the assembly
/// is loaded, without scanning every type: <c>[assembly: RowFormats(typeof(AvroConfluentFormat), …)]</c>. Each type
/// needs a public parameterless constructor. The format counterpart of <c>ConnectorFactoriesAttribute</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class RowFormatsAttribute(params Type[] formatTypes) : Attribute
{
    /// <summary>The format types.</summary>
    public IReadOnlyList<Type> FormatTypes { get; } = formatTypes ?? [];
}
