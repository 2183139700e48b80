namespace Sluice.Configuration;

/// <summary>What a set of <see cref="ConfigOptions"/> configures; it names the owner in error messages.</summary>
public enum OptionOwnerKind
{
    /// <summary>A connector (<c>'connector' = 'kafka'</c>): "Option 'topic' of connector 'kafka' …".</summary>
    Connector,

    /// <summary>A row format (<c>'format' = 'json'</c>): "Option 'json.ignore-parse-errors' of format 'json' …".</summary>
    Format,
}
