namespace Sluice.Sql.Expressions;

/// <summary>
/// Marks a static method of a built-in function class as an overload of the SQL functions <see cref="Names"/>. The
/// method's parameters give the SQL parameters (see <see cref="FunctionOverload"/>); <see cref="ResultType"/> names a
/// static method of the same class, <c>DataType F(IReadOnlyList&lt;DataType&gt; arguments)</c>, when the result type
/// depends on the arguments (its nullability is then added by the catalog).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class SqlFunctionAttribute(params string[] names) : Attribute
{
    /// <summary>The SQL names (the first is the canonical one; the rest are aliases).</summary>
    public string[] Names { get; } = names;

    /// <summary>Whether equal arguments always give equal results (false for CURRENT_TIMESTAMP, RAND, UUID).</summary>
    public bool Deterministic { get; set; } = true;

    /// <summary>The name of the static method that computes the result type from the argument types, if any.</summary>
    public string? ResultType { get; set; }

    /// <summary>The result type as SQL text (for example <c>TIMESTAMP(3)</c>), when it is fixed but not the CLR default.</summary>
    public string? Returns { get; set; }
}
