namespace Sluice.Connectors.Delta;

/// <summary>The comparison of a <see cref="DeltaPredicate"/>: column ⟨op⟩ value.</summary>
public enum DeltaComparison
{
    /// <summary><c>column = value</c>.</summary>
    Equal,

    /// <summary><c>column &lt; value</c>.</summary>
    LessThan,

    /// <summary><c>column &lt;= value</c>.</summary>
    LessThanOrEqual,

    /// <summary><c>column &gt; value</c>.</summary>
    GreaterThan,

    /// <summary><c>column &gt;= value</c>.</summary>
    GreaterThanOrEqual,
}
