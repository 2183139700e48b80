namespace Sluice.Schemas;

/// <summary>What a table sink in <see cref="SchemaEvolutionMode.AddColumns"/> does with a row whose schema is incompatible.</summary>
public enum IncompatibleSchemaAction
{
    /// <summary>
    /// Fail the job with an exception naming the table, the field, the change and the schema's origin (subject and
    /// version); nothing of the row is written.
    /// </summary>
    Fail,

    /// <summary>
    /// Route the row to the sink's dead-letter output with that reason, committed exactly once with the checkpoint that
    /// covers it, and go on.
    /// </summary>
    DeadLetter,
}
