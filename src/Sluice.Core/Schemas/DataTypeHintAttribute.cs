namespace Sluice.Schemas;

/// <summary>
/// Overrides the SQL type a record property maps to in its <see cref="RowConverter{T}"/> schema, as Flink's
/// <c>@DataTypeHint</c> does: <c>[DataTypeHint("DECIMAL(18, 4)")] decimal Price</c>,
/// <c>[DataTypeHint("TIMESTAMP(3)")] DateTime At</c>. Put it on the property, or on a positional record's parameter.
/// </summary>
/// <remarks>
/// The hint may change a type's parameters (DECIMAL precision and scale, TIME and TIMESTAMP precision), not its kind:
/// it must be of the kind the property's .NET type maps to, and an ARRAY, MAP or ROW hint must equal the mapped type
/// (hint the nested record's own properties instead). Nullability always comes from the property (see
/// <see cref="RowConverter{T}"/>), so a <c>NOT NULL</c> in the hint is ignored. A hint that does not parse or does not
/// fit fails when the converter is built, naming the property. On a SQL user function's return value
/// (<c>[return: DataTypeHint("DECIMAL(10, 2)")]</c>) it gives the function's result type.
/// </remarks>
/// <param name="type">The SQL type text, read by <see cref="DataType.Parse"/>.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.ReturnValue, AllowMultiple = false, Inherited = true)]
public sealed class DataTypeHintAttribute(string type) : Attribute
{
    /// <summary>The SQL type text.</summary>
    public string Type { get; } = type;
}
