namespace Sluice.Schemas;

/// <summary>What a table sink does when rows arrive with a schema other than its table's (see <see cref="SchemaEvolutionPlan"/>).</summary>
public enum SchemaEvolutionMode
{
    /// <summary>The table keeps the sink's schema: a row of any other schema fails the write (the behaviour before evolution existed).</summary>
    None,

    /// <summary>
    /// Compatible changes are absorbed: new nullable columns are added, missing nullable columns written null, INT and
    /// FLOAT values widened into BIGINT and DOUBLE columns. Incompatible rows follow <see cref="IncompatibleSchemaAction"/>.
    /// </summary>
    AddColumns,
}
