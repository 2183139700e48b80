using Sluice.Configuration;

namespace Sluice.Formats.Registry.Internal;

/// <summary>How rows of a registry format follow the writer's schema (<c>{format}.schema-evolution</c>).</summary>
internal enum SchemaEvolution
{
    /// <summary>Rows have the table's schema; writer schemas are resolved into it.</summary>
    Fixed,

    /// <summary>Rows have the table's columns plus the writer's nullable or defaulted additions, one schema per writer id.</summary>
    Follow,
}

/// <summary>
/// The options the registry formats share, under their identifier (<c>avro-confluent.url</c>,
/// <c>json-registry.url</c>, …), as Flink names them, and their reading into a <see cref="RegistrySettings"/>.
/// Stateless.
/// </summary>
internal static class RegistryOptions
{
    /// <summary>The options of format <paramref name="format"/> shared by both registry formats.</summary>
    public static ConfigOption[] Shared(string format) =>
    [
        ConfigOption.Required(format + ".url", ConfigOptionType.String, "The schema registry's URL (Confluent's REST API), e.g. 'http://localhost:8081'; several separated by ','."),
        new(format + ".subject", ConfigOptionType.String,
            "The subject a serializer registers or looks up its schema under; by default '<topic>-value' (or '<topic>-key' for a key format) with the kafka and sluice-log connectors. Required to write elsewhere."),
        ConfigOption.Optional(format + ".auto-register", ConfigOptionType.Boolean,
            "Whether a serializer registers its schema under the subject (true, as Flink does) or only looks it up, failing when it is not registered (false).", "true"),
        ConfigOption.Choice(format + ".schema-evolution",
            "'fixed': rows have the table's schema and each writer schema is resolved into it; 'follow': rows also carry the nullable or defaulted columns a writer schema adds (one row schema per writer schema id).",
            "fixed", "fixed", "follow"),
        new(format + ".basic-auth.user-info", ConfigOptionType.String, "'user:password' for the registry's HTTP basic authentication; never logged."),
        new(format + ".bearer-auth.token", ConfigOptionType.String, "A bearer token sent to the registry in the Authorization header; never logged."),
        ConfigOption.Optional(format + ".request-timeout", ConfigOptionType.Duration, "How long one registry request may take.", "30 s"),
    ];

    /// <summary>Reads the shared options.</summary>
    public static RegistrySettings Read(ConfigOptions options, string format) => new(
        options.GetString(format + ".url")!,
        options.GetString(format + ".subject"),
        options.GetBoolean(format + ".auto-register") ?? true,
        options.GetChoice(format + ".schema-evolution") == "follow" ? SchemaEvolution.Follow : SchemaEvolution.Fixed,
        options.GetString(format + ".basic-auth.user-info"),
        options.GetString(format + ".bearer-auth.token"),
        options.GetDuration(format + ".request-timeout") ?? TimeSpan.FromSeconds(30));
}

/// <summary>The registry settings of one format instance.</summary>
/// <param name="Url">The registry's URL(s).</param>
/// <param name="Subject">The subject, or null when none is known.</param>
/// <param name="AutoRegister">Whether a serializer registers its schema.</param>
/// <param name="Evolution">How rows follow writer schemas.</param>
/// <param name="BasicAuthUserInfo">user:password, or null.</param>
/// <param name="BearerToken">A bearer token, or null.</param>
/// <param name="RequestTimeout">One request's time limit.</param>
internal sealed record RegistrySettings(
    string Url, string? Subject, bool AutoRegister, SchemaEvolution Evolution, string? BasicAuthUserInfo, string? BearerToken, TimeSpan RequestTimeout)
{
    /// <summary>Never shows the secrets.</summary>
    public override string ToString() =>
        $"registry {Url}, subject {Subject ?? "(none)"}, auto-register {AutoRegister}, schema-evolution {Evolution}{(BasicAuthUserInfo is null ? "" : ", basic auth")}{(BearerToken is null ? "" : ", bearer token")}";
}
