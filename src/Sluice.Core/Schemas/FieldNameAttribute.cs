namespace Sluice.Schemas;

/// <summary>
/// Names the schema field a record property maps to in its <see cref="RowConverter{T}"/> schema, instead of the
/// property's own name: <c>[FieldName("user_id")] string UserId</c>. Put it on the property, or on a positional
/// record's parameter. Names are case-sensitive and must stay unique within the record.
/// </summary>
/// <param name="name">The field name; not empty.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class FieldNameAttribute(string name) : Attribute
{
    /// <summary>The field name.</summary>
    public string Name { get; } = name;
}
