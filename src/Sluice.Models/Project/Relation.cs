using Sluice.Models.Templating;

namespace Sluice.Models.Project;

/// <summary>A table or view in the warehouse, as <c>ref()</c>, <c>source()</c> and <c>this</c> return it: prints as <c>"schema"."identifier"</c>.</summary>
internal sealed record Relation(string Schema, string Identifier) : IJinjaObject
{
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public bool TryGetAttribute(string name, out object? value)
    {
        value = name switch
        {
            "schema" => Schema,
            "identifier" or "name" or "table" => Identifier,
            "database" => null,
            _ => new Undefined("relation." + name),
        };
        return value is not Undefined;
    }

    public override string ToString() => Quote(Schema) + "." + Quote(Identifier);
}

/// <summary>An ephemeral model's stand-in: the name of the CTE it becomes (<c>__dbt__cte__name</c>).</summary>
internal sealed record EphemeralReference(string Name)
{
    public string CteName => "__dbt__cte__" + Name;

    public override string ToString() => CteName;
}
