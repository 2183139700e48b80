using Sluice.Models.Templating;

namespace Sluice.Models.Project;

/// <summary>The warehouse a project builds into (an output of <c>profiles.yml</c>).</summary>
internal enum TargetType
{
    DuckDb,
    Postgres,
}

/// <summary>
/// A resolved target: where models are built and with how many threads. <see cref="ConnectionString"/> holds the
/// password of a PostgreSQL target: never print it (<see cref="ToString"/> leaves it out).
/// </summary>
internal sealed record ModelTarget(string Name, TargetType Type, string Schema, string? DuckDbPath, string? ConnectionString, int Threads)
{
    /// <summary>The DuckDB file used when no profile names one, relative to the project folder (the server's default data directory).</summary>
    public const string DefaultDuckDbPath = "sluice-data/warehouse.duckdb";

    public const int DefaultThreads = 4;

    /// <summary>The <c>target</c> variable of templates.</summary>
    public Dictionary<string, object?> ToTemplateValue() => new()
    {
        ["name"] = Name,
        ["type"] = Type == TargetType.DuckDb ? "duckdb" : "postgres",
        ["schema"] = Schema,
        ["threads"] = (long)Threads,
        ["profile_name"] = Name,
    };

    public override string ToString() => Type == TargetType.DuckDb
        ? $"{Name} (duckdb {DuckDbPath}, schema {Schema})"
        : $"{Name} (postgres, schema {Schema})";

    /// <summary>
    /// Resolves the target: <c>profiles.yml</c> in <paramref name="profilesDirectory"/> (else the project folder), the
    /// profile the project names, the output <paramref name="targetName"/> or the profile's <c>target</c>. Without a
    /// profiles file, or without the project's profile in it, the default is DuckDB at
    /// <see cref="DefaultDuckDbPath"/>. The file is rendered as a template first, so <c>{{ env_var('PGPASSWORD') }}</c> works.
    /// </summary>
    public static ModelTarget Resolve(string projectDirectory, string? profilesDirectory, string? profileName, string? targetName)
    {
        var file = Path.Combine(profilesDirectory ?? projectDirectory, "profiles.yml");
        if (!File.Exists(file))
        {
            if (profilesDirectory is not null)
            {
                throw new ModelProjectException($"No profiles.yml in '{profilesDirectory}': create it or drop --profiles-dir.");
            }
            return targetName is null or "dev"
                ? new ModelTarget("dev", TargetType.DuckDb, "main", Path.GetFullPath(Path.Combine(projectDirectory, DefaultDuckDbPath)), null, DefaultThreads)
                : throw new ModelProjectException($"Target '{targetName}' needs a profiles.yml (none in '{projectDirectory}'); without one the only target is 'dev' (DuckDB at {DefaultDuckDbPath}).");
        }
        string rendered;
        try
        {
            rendered = JinjaTemplate.Parse("profiles.yml", File.ReadAllText(file)).Render(new Dictionary<string, object?> { ["env_var"] = ModelContext.EnvVar });
        }
        catch (TemplateException e)
        {
            throw new ModelProjectException(e.Message, e);
        }
        var tree = YamlTree.Parse(rendered, "profiles.yml");
        var profiles = tree.Root as Dictionary<string, object?> ?? [];
        var name = profileName ?? profiles.Keys.FirstOrDefault() ?? "";
        if (profiles.GetValueOrDefault(name) is not Dictionary<string, object?> profile)
        {
            throw new ModelProjectException($"profiles.yml has no profile '{name}' (the project's 'profile:'); it has: {string.Join(", ", profiles.Keys)}.");
        }
        var target = targetName ?? profile.GetValueOrDefault("target") as string ?? "dev";
        var outputs = profile.GetValueOrDefault("outputs") as Dictionary<string, object?> ?? [];
        if (outputs.GetValueOrDefault(target) is not Dictionary<string, object?> output)
        {
            throw new ModelProjectException($"{tree.At(profile)}: profile '{name}' has no output '{target}'; it has: {string.Join(", ", outputs.Keys)}.");
        }
        var threads = output.GetValueOrDefault("threads") is long t and > 0 and <= 64 ? (int)t : DefaultThreads;
        var type = output.GetValueOrDefault("type") as string ?? "duckdb";
        switch (type)
        {
            case "duckdb":
                var path = output.GetValueOrDefault("path") as string ?? DefaultDuckDbPath;
                if (path == ":memory:")
                {
                    throw new ModelProjectException($"{tree.At(output)}: an in-memory DuckDB target would lose every model when the command ends; give 'path' a file.");
                }
                return new ModelTarget(target, TargetType.DuckDb, output.GetValueOrDefault("schema") as string ?? "main",
                    Path.GetFullPath(Path.Combine(projectDirectory, path)), null, threads);
            case "postgres":
                var builder = new Npgsql.NpgsqlConnectionStringBuilder
                {
                    Host = output.GetValueOrDefault("host") as string ?? "127.0.0.1",
                    Port = output.GetValueOrDefault("port") is long port ? (int)port : 5432,
                    Username = output.GetValueOrDefault("user") as string,
                    Password = JinjaValues.ToText(output.GetValueOrDefault("password") ?? output.GetValueOrDefault("pass") ?? ""),
                    Database = output.GetValueOrDefault("dbname") as string ?? output.GetValueOrDefault("database") as string,
                };
                return new ModelTarget(target, TargetType.Postgres, output.GetValueOrDefault("schema") as string ?? "public", null, builder.ConnectionString, threads);
            default:
                throw new ModelProjectException($"{tree.At(output)}: target type '{type}' is not supported (duckdb or postgres).");
        }
    }
}
