namespace Sluice.Schemas;

/// <summary>A named, typed field of a <see cref="Schema"/>.</summary>
/// <param name="Name">The field name: non-empty; case-sensitive, as in Flink SQL.</param>
/// <param name="Type">The field's type; its nullability says whether the field may be null.</param>
/// <param name="Description">An optional description (a column comment).</param>
public sealed record Field(string Name, DataType Type, string? Description = null)
{
    /// <summary>The field name.</summary>
    public string Name { get; } = !string.IsNullOrEmpty(Name) ? Name : throw new ArgumentException("A field name must not be empty.", nameof(Name));

    /// <summary>The field's type.</summary>
    public DataType Type { get; } = Type ?? throw new ArgumentNullException(nameof(Type));

    /// <summary><c>name TYPE [COMMENT '…']</c>, with the name quoted in backticks when it is not a plain identifier.</summary>
    public override string ToString() =>
        Description is null ? $"{Schema.QuoteName(Name)} {Type}" : $"{Schema.QuoteName(Name)} {Type} COMMENT '{Description.Replace("'", "''", StringComparison.Ordinal)}'";
}
