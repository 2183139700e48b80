namespace Sluice.SchemaRegistry.Compatibility;

/// <summary>
/// Confluent's compatibility modes: which earlier versions of a subject a new version is checked against, and in
/// which direction. BACKWARD: consumers using the new schema can read data written with the last one. FORWARD: data
/// written with the new schema can be read with the last one. FULL: both. The TRANSITIVE variants check every earlier
/// version instead of only the last; NONE checks nothing.
/// </summary>
public enum CompatibilityLevel
{
    /// <summary><c>NONE</c>: no check.</summary>
    None,

    /// <summary><c>BACKWARD</c> (Confluent's default): the new schema reads data written with the latest version.</summary>
    Backward,

    /// <summary><c>BACKWARD_TRANSITIVE</c>: the new schema reads data written with every earlier version.</summary>
    BackwardTransitive,

    /// <summary><c>FORWARD</c>: the latest version reads data written with the new schema.</summary>
    Forward,

    /// <summary><c>FORWARD_TRANSITIVE</c>: every earlier version reads data written with the new schema.</summary>
    ForwardTransitive,

    /// <summary><c>FULL</c>: BACKWARD and FORWARD against the latest version.</summary>
    Full,

    /// <summary><c>FULL_TRANSITIVE</c>: BACKWARD and FORWARD against every earlier version.</summary>
    FullTransitive,
}
