namespace Sluice.Configuration;

/// <summary>The value type of a <see cref="ConfigOption"/>: how its text is parsed and checked.</summary>
public enum ConfigOptionType
{
    /// <summary>Any text.</summary>
    String,

    /// <summary>A 32-bit integer (<c>10</c>, <c>-3</c>), within the option's range if it has one.</summary>
    Int,

    /// <summary>A 64-bit integer, within the option's range if it has one.</summary>
    Long,

    /// <summary>A number (<c>0.25</c>, <c>1e6</c>; invariant culture), within the option's range if it has one.</summary>
    Double,

    /// <summary><c>true</c> or <c>false</c> (any case).</summary>
    Boolean,

    /// <summary>
    /// A duration as Flink writes it: a number and a unit, with or without a space — <c>500ms</c>, <c>10 s</c>,
    /// <c>5 min</c>, <c>2h</c>, <c>1d</c> (also <c>ns</c>, <c>us</c>, and the long forms <c>seconds</c>, <c>minutes</c>…);
    /// a bare number is milliseconds.
    /// </summary>
    Duration,

    /// <summary>
    /// Exactly one character, or a Java-style escape standing for one: <c>\t</c>, <c>\n</c>, <c>\r</c>, <c>\\</c>,
    /// <c>\'</c>, <c>\uXXXX</c> (a format's delimiter or quote).
    /// </summary>
    Character,

    /// <summary>One of the option's <see cref="ConfigOption.AllowedValues"/> (compared ignoring case).</summary>
    Enum,
}
