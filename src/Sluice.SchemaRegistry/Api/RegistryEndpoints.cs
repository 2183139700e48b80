using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sluice.SchemaRegistry.Compatibility;
using Sluice.SchemaRegistry.Storage;

namespace Sluice.SchemaRegistry.Api;

/// <summary>
/// Confluent Schema Registry's REST API over a <see cref="SchemaStore"/> (docs/schema-registry.md, "API"): the same
/// paths, bodies, content type and error codes, so Confluent's clients and serdes work unchanged. Mapped once at the
/// root by the standalone server and under <c>/registry</c> by <c>sluice server</c>.
/// </summary>
internal static class RegistryEndpoints
{
    private const string Tag = "schema registry";

    /// <summary>
    /// Maps the API under <paramref name="prefix"/> (empty for the root). Every answer is JSON; a refused request gets
    /// Confluent's <c>{"error_code","message"}</c>, a failure of the <c>_schemas</c> topic 50001.
    /// </summary>
    /// <param name="endpoints">Where to map.</param>
    /// <param name="prefix">The path prefix, such as <c>/registry</c>, or empty.</param>
    /// <param name="store">The registry's state.</param>
    /// <param name="authorize">Decides whether a request may proceed (the standalone server's token rule); null lets
    /// every request through (the host enforces its own rule).</param>
    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix, SchemaStore store, Func<HttpContext, bool>? authorize = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(store);
        var group = endpoints.MapGroup(prefix).WithTags(Tag);
        group.AddEndpointFilter(async (context, next) =>
        {
            if (authorize is not null && !authorize(context.HttpContext))
            {
                context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
                return RegistryResult.Error(StatusCodes.Status401Unauthorized, 40101,
                    $"{context.HttpContext.Request.Method} {context.HttpContext.Request.Path} needs the registry's token: send 'Authorization: Bearer <token>' or basic auth with the token as password.");
            }
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (RegistryException e)
            {
                return RegistryResult.Error(e);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Confluent answers any other failure 50001; the message says what failed (a damaged _schemas record
                // names its offset), never a stack trace.
                return RegistryResult.Error(StatusCodes.Status500InternalServerError, 50001, $"Error in the backend data store: {e.Message}");
            }
        });

        group.MapGet("/", () => RegistryResult.Ok(json =>
        {
            json.WriteStartObject();
            json.WriteEndObject();
        })).WithSummary("Answers {} (Confluent's root; a liveness check).");
        MapSchemas(group, store);
        MapSubjects(group, store);
        MapSettings(group, store);
        group.MapPost("/compatibility/subjects/{subject}/versions/{version}", (HttpRequest request, string subject, string version) => TestAsync(request, store, subject, version))
            .WithSummary("Tests a schema against one version of a subject (is_compatible; messages with ?verbose=true).");
        group.MapPost("/compatibility/subjects/{subject}/versions", (HttpRequest request, string subject) => TestAsync(request, store, subject, null))
            .WithSummary("Tests a schema against the versions the subject's compatibility level names.");
        return group;
    }

    private static void MapSchemas(RouteGroupBuilder group, SchemaStore store)
    {
        group.MapGet("/schemas/types", () => RegistryResult.Ok(json => RegistryJson.WriteStrings(json, ["AVRO", "JSON"])))
            .WithSummary("Lists the schema types the registry accepts.");
        group.MapGet("/schemas/ids/{id:int}", (int id, HttpRequest request) =>
        {
            var subject = request.Query["subject"].ToString();
            var schema = store.SchemaById(id, subject.Length == 0 ? null : subject);
            return RegistryResult.Ok(json =>
            {
                json.WriteStartObject();
                RegistryJson.WriteSchemaFields(json, schema.Type, schema.References, schema.Text);
                json.WriteEndObject();
            });
        }).WithSummary("Gets the schema with an id.");
        group.MapGet("/schemas/ids/{id:int}/schema", (int id) =>
        {
            var schema = store.SchemaById(id);
            return RegistryResult.Ok(json => RegistryJson.WriteRawSchema(json, schema.Text));
        }).WithSummary("Gets the schema with an id, as the bare schema document.");
        group.MapGet("/schemas/ids/{id:int}/versions", (int id, HttpRequest request) =>
        {
            var versions = store.VersionsOfId(id, Flag(request, "deleted"));
            return RegistryResult.Ok(json =>
            {
                json.WriteStartArray();
                foreach (var (subject, version) in versions)
                {
                    json.WriteStartObject();
                    json.WriteString("subject", subject);
                    json.WriteNumber("version", version);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            });
        }).WithSummary("Lists the subject versions registered with an id.");
        group.MapGet("/schemas/ids/{id:int}/subjects", (int id, HttpRequest request) =>
        {
            var subjects = store.VersionsOfId(id, Flag(request, "deleted")).Select(v => v.Subject).Distinct().ToList();
            return RegistryResult.Ok(json => RegistryJson.WriteStrings(json, subjects));
        }).WithSummary("Lists the subjects registered with an id.");
    }

    private static void MapSubjects(RouteGroupBuilder group, SchemaStore store)
    {
        group.MapGet("/subjects", (HttpRequest request) =>
        {
            var subjects = store.Subjects(Flag(request, "deleted"));
            return RegistryResult.Ok(json => RegistryJson.WriteStrings(json, subjects));
        }).WithSummary("Lists the subjects (?deleted=true: soft-deleted ones too).");
        group.MapPost("/subjects/{subject}/versions", async (HttpRequest request, string subject) =>
        {
            var schema = await RegistryJson.ReadSchemaRequestAsync(request).ConfigureAwait(false);
            int id = store.Register(subject, schema, Flag(request, "normalize"));
            return RegistryResult.Ok(json =>
            {
                json.WriteStartObject();
                json.WriteNumber("id", id);
                json.WriteEndObject();
            });
        }).WithSummary("Registers a schema under a subject; answers its id (the existing one when already registered).");
        group.MapPost("/subjects/{subject}", async (HttpRequest request, string subject) =>
        {
            var schema = await RegistryJson.ReadSchemaRequestAsync(request).ConfigureAwait(false);
            var found = store.Lookup(subject, schema, Flag(request, "deleted"));
            return RegistryResult.Ok(json => RegistryJson.WriteVersion(json, found));
        }).WithSummary("Looks up whether a schema is registered under a subject; answers the version.");
        group.MapGet("/subjects/{subject}/versions", (HttpRequest request, string subject) =>
        {
            var versions = store.Versions(subject, Flag(request, "deleted"));
            return RegistryResult.Ok(json => RegistryJson.WriteNumbers(json, versions));
        }).WithSummary("Lists a subject's versions.");
        group.MapGet("/subjects/{subject}/versions/{version}", (HttpRequest request, string subject, string version) =>
        {
            var found = store.Version(subject, version, Flag(request, "deleted"));
            return RegistryResult.Ok(json => RegistryJson.WriteVersion(json, found));
        }).WithSummary("Gets one version of a subject (a number or 'latest').");
        group.MapGet("/subjects/{subject}/versions/{version}/schema", (HttpRequest request, string subject, string version) =>
        {
            var found = store.Version(subject, version, Flag(request, "deleted"));
            return RegistryResult.Ok(json => RegistryJson.WriteRawSchema(json, found.Schema));
        }).WithSummary("Gets one version of a subject as the bare schema document.");
        group.MapGet("/subjects/{subject}/versions/{version}/referencedby", (string subject, string version) =>
        {
            var ids = store.ReferencedBy(subject, version);
            return RegistryResult.Ok(json => RegistryJson.WriteNumbers(json, ids));
        }).WithSummary("Lists the ids of the schemas that reference a version.");
        group.MapDelete("/subjects/{subject}", (HttpRequest request, string subject) =>
        {
            var versions = store.DeleteSubject(subject, Flag(request, "permanent"));
            return RegistryResult.Ok(json => RegistryJson.WriteNumbers(json, versions));
        }).WithSummary("Deletes a subject: soft, or hard with ?permanent=true after a soft delete.");
        group.MapDelete("/subjects/{subject}/versions/{version}", (HttpRequest request, string subject, string version) =>
        {
            int deleted = store.DeleteVersion(subject, version, Flag(request, "permanent"));
            return RegistryResult.Ok(json => json.WriteNumberValue(deleted));
        }).WithSummary("Deletes a version: soft, or hard with ?permanent=true after a soft delete.");
    }

    private static void MapSettings(RouteGroupBuilder group, SchemaStore store)
    {
        group.MapGet("/config", () => LevelResult(store.GlobalLevel))
            .WithSummary("Gets the global compatibility level.");
        group.MapPut("/config", (HttpRequest request) => PutLevelAsync(request, store, null))
            .WithSummary("Sets the global compatibility level.");
        group.MapDelete("/config", () => LevelResult(store.DeleteLevel(null)))
            .WithSummary("Resets the global compatibility level to BACKWARD.");
        group.MapGet("/config/{subject}", (HttpRequest request, string subject) =>
            store.SubjectLevel(subject) is { } level ? LevelResult(level)
            : Flag(request, "defaultToGlobal") ? LevelResult(store.GlobalLevel)
            : throw RegistryException.SubjectLevelNotConfigured(subject))
            .WithSummary("Gets a subject's own compatibility level (40408 when it has none, unless ?defaultToGlobal=true).");
        group.MapPut("/config/{subject}", (HttpRequest request, string subject) => PutLevelAsync(request, store, subject))
            .WithSummary("Sets a subject's compatibility level.");
        group.MapDelete("/config/{subject}", (string subject) => LevelResult(store.DeleteLevel(subject)))
            .WithSummary("Removes a subject's own compatibility level.");

        group.MapGet("/mode", () => ModeResult(store.GlobalMode))
            .WithSummary("Gets the global mode.");
        group.MapPut("/mode", (HttpRequest request) => PutModeAsync(request, store, null))
            .WithSummary("Sets the global mode (READWRITE, READONLY, IMPORT).");
        group.MapGet("/mode/{subject}", (HttpRequest request, string subject) =>
            store.SubjectMode(subject) is { } mode ? ModeResult(mode)
            : Flag(request, "defaultToGlobal") ? ModeResult(store.GlobalMode)
            : throw RegistryException.SubjectModeNotConfigured(subject))
            .WithSummary("Gets a subject's own mode (40409 when it has none, unless ?defaultToGlobal=true).");
        group.MapPut("/mode/{subject}", (HttpRequest request, string subject) => PutModeAsync(request, store, subject))
            .WithSummary("Sets a subject's mode.");
        group.MapDelete("/mode/{subject}", (string subject) => ModeResult(store.DeleteMode(subject)))
            .WithSummary("Removes a subject's own mode.");
    }

    private static async Task<IResult> TestAsync(HttpRequest request, SchemaStore store, string subject, string? version)
    {
        var schema = await RegistryJson.ReadSchemaRequestAsync(request).ConfigureAwait(false);
        var problems = store.TestCompatibility(subject, version, schema);
        bool verbose = Flag(request, "verbose");
        return RegistryResult.Ok(json =>
        {
            json.WriteStartObject();
            json.WriteBoolean("is_compatible", problems.Count == 0);
            if (verbose)
            {
                json.WriteStartArray("messages");
                foreach (var problem in problems)
                {
                    json.WriteStringValue(problem);
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        });
    }

    private static async Task<IResult> PutLevelAsync(HttpRequest request, SchemaStore store, string? subject)
    {
        var name = await RegistryJson.ReadStringFieldAsync(request, "compatibility").ConfigureAwait(false);
        var level = CompatibilityLevelNames.Parse(name) ?? throw RegistryException.InvalidCompatibilityLevel(name);
        store.SetLevel(subject, level);
        return RegistryResult.Ok(json => RegistryJson.WriteObject(json, "compatibility", CompatibilityLevelNames.Name(level)));
    }

    private static async Task<IResult> PutModeAsync(HttpRequest request, SchemaStore store, string? subject)
    {
        var name = await RegistryJson.ReadStringFieldAsync(request, "mode").ConfigureAwait(false);
        var mode = RegistryModeNames.Parse(name) ?? throw RegistryException.InvalidMode(name);
        store.SetMode(subject, mode, Flag(request, "force"));
        return ModeResult(mode);
    }

    private static RegistryResult LevelResult(CompatibilityLevel level) =>
        RegistryResult.Ok(json => RegistryJson.WriteObject(json, "compatibilityLevel", CompatibilityLevelNames.Name(level)));

    private static RegistryResult ModeResult(RegistryMode mode) =>
        RegistryResult.Ok(json => RegistryJson.WriteObject(json, "mode", RegistryModeNames.Name(mode)));

    private static bool Flag(HttpRequest request, string name) =>
        bool.TryParse(request.Query[name].ToString(), out bool value) && value;
}
