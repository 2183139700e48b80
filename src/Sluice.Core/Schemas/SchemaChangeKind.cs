namespace Sluice.Schemas;

/// <summary>How rows of an incoming schema relate to a sink's table schema (<see cref="SchemaEvolutionPlan.Kind"/>).</summary>
public enum SchemaChangeKind
{
    /// <summary>The incoming schema equals the table's (origin aside): rows are written as they are.</summary>
    Identical,

    /// <summary>
    /// Rows fit the table once it has <see cref="SchemaEvolutionPlan.AddedColumns"/> (possibly none): fields are matched
    /// by name, nullable table columns the rows lack are written null, narrower numbers are widened.
    /// </summary>
    Compatible,

    /// <summary>Writing the rows would corrupt the table; <see cref="SchemaEvolutionPlan.Reason"/> says why.</summary>
    Incompatible,
}
