using System.Globalization;
using System.Text.Json;
using Sluice.Models.Project;

namespace Sluice.Models.Execution;

/// <summary>
/// Writes <c>target/manifest.json</c>, <c>target/run_results.json</c> (subsets of dbt's shapes, listed in
/// docs/models.md; <c>metadata.sluice_artifact_version</c> is 1) and <c>target/compiled/&lt;project&gt;/&lt;path&gt;</c>.
/// Each JSON file is written to a temporary name and renamed, so a reader never sees half a file.
/// Thread-safe: compiled files of different nodes may be written concurrently.
/// </summary>
internal sealed class ModelArtifacts(ModelProject project, string targetDirectory)
{
    /// <summary>Version of the manifest and run-results subsets; bump when a field changes meaning.</summary>
    public const int ArtifactVersion = 1;

    private readonly Dictionary<string, string> _compiledPaths = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public string CompiledPath(ProjectNode node)
    {
        var relative = node.Test is not null ? $"{node.Path}/{node.Name}.sql" : node.Path;
        return Path.Combine(targetDirectory, "compiled", project.Name, relative);
    }

    public void WriteCompiled(ProjectNode node, string sql)
    {
        var path = CompiledPath(node);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, sql);
        lock (_lock)
        {
            _compiledPaths[node.UniqueId] = Path.GetRelativePath(project.Directory, path).Replace('\\', '/');
        }
    }

    public void WriteManifest() => WriteJson("manifest.json", writer =>
    {
        writer.WriteStartObject();
        WriteMetadata(writer, "manifest");
        writer.WriteStartObject("nodes");
        foreach (var node in project.Nodes.Values.Where(n => n.Kind != NodeKind.Source).OrderBy(n => n.UniqueId, StringComparer.Ordinal))
        {
            writer.WriteStartObject(node.UniqueId);
            WriteNode(writer, node);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteStartObject("sources");
        foreach (var node in project.Nodes.Values.Where(n => n.Kind == NodeKind.Source).OrderBy(n => n.UniqueId, StringComparer.Ordinal))
        {
            writer.WriteStartObject(node.UniqueId);
            WriteNode(writer, node);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteStartObject("parent_map");
        foreach (var node in project.Nodes.Values.OrderBy(n => n.UniqueId, StringComparer.Ordinal))
        {
            writer.WriteStartArray(node.UniqueId);
            foreach (var parent in node.DependsOn)
            {
                writer.WriteStringValue(parent);
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
        writer.WriteStartObject("child_map");
        foreach (var node in project.Nodes.Values.OrderBy(n => n.UniqueId, StringComparer.Ordinal))
        {
            writer.WriteStartArray(node.UniqueId);
            foreach (var child in project.Children.GetValueOrDefault(node.UniqueId) ?? [])
            {
                writer.WriteStringValue(child);
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    private void WriteNode(Utf8JsonWriter writer, ProjectNode node)
    {
        writer.WriteString("unique_id", node.UniqueId);
        writer.WriteString("resource_type", node.Kind.ToString().ToLowerInvariant());
        writer.WriteString("name", node.Name);
        writer.WriteString("package_name", project.Name);
        writer.WriteString("original_file_path", node.Path);
        writer.WriteStartArray("fqn");
        writer.WriteStringValue(project.Name);
        foreach (var part in node.Path.Split('/').Skip(1).SkipLast(1))
        {
            writer.WriteStringValue(part);
        }
        writer.WriteStringValue(node.Name);
        writer.WriteEndArray();
        if (node.Kind != NodeKind.Test)
        {
            var relation = project.RelationOf(node);
            writer.WriteString("schema", relation.Schema);
            writer.WriteString("alias", relation.Identifier);
            writer.WriteString("relation_name", node.Kind == NodeKind.Model && node.Materialization == Materialization.Ephemeral ? null : relation.ToString());
        }
        writer.WriteStartObject("config");
        writer.WriteString("materialized", node.Kind switch
        {
            NodeKind.Model => node.Materialization.ToString().ToLowerInvariant(),
            NodeKind.Seed => "seed",
            NodeKind.Test => "test",
            _ => null,
        });
        foreach (var (key, value) in node.Config.Where(p => p.Key != "materialized").OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WritePropertyName(key);
            WriteValue(writer, value);
        }
        writer.WriteEndObject();
        writer.WriteStartArray("tags");
        foreach (var tag in node.Tags)
        {
            writer.WriteStringValue(tag);
        }
        writer.WriteEndArray();
        writer.WriteStartObject("depends_on");
        writer.WriteStartArray("nodes");
        foreach (var parent in node.DependsOn)
        {
            writer.WriteStringValue(parent);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteStartObject("columns");
        foreach (var (name, description) in node.Columns)
        {
            writer.WriteStartObject(name);
            writer.WriteString("name", name);
            writer.WriteString("description", description ?? "");
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        if (node.Test is { } test)
        {
            writer.WriteStartObject("test_metadata");
            writer.WriteString("name", test.Kind);
            writer.WritePropertyName("kwargs");
            WriteValue(writer, new Dictionary<string, object?>(test.Arguments) { ["column_name"] = node.Column });
            writer.WriteEndObject();
            writer.WriteString("attached_node", node.AttachedTo);
            writer.WriteString("column_name", node.Column);
        }
        lock (_lock)
        {
            if (_compiledPaths.TryGetValue(node.UniqueId, out var compiled))
            {
                writer.WriteString("compiled_path", compiled);
            }
        }
    }

    public void WriteRunResults(ModelCommand command, IReadOnlyList<NodeResult> results, TimeSpan elapsed) => WriteJson("run_results.json", writer =>
    {
        writer.WriteStartObject();
        WriteMetadata(writer, "run-results");
        writer.WriteStartArray("results");
        foreach (var result in results)
        {
            writer.WriteStartObject();
            writer.WriteString("unique_id", result.UniqueId);
            writer.WriteString("status", result.Status.ToString().ToLowerInvariant());
            writer.WriteNumber("execution_time", Math.Round(result.ExecutionTime.TotalSeconds, 4));
            writer.WriteString("message", result.Message);
            if (result.Failures is { } failures)
            {
                writer.WriteNumber("failures", failures);
            }
            else
            {
                writer.WriteNull("failures");
            }
            writer.WriteStartObject("adapter_response");
            if (result.RowsAffected is { } affected)
            {
                writer.WriteNumber("rows_affected", affected);
            }
            if (result.RowsSelected is { } rowsSelected)
            {
                writer.WriteNumber("rows_selected", rowsSelected);
            }
            writer.WriteEndObject();
            if (result.FailingSample.Count > 0)
            {
                writer.WriteStartArray("failing_sample");
                foreach (var row in result.FailingSample)
                {
                    writer.WriteStringValue(row);
                }
                writer.WriteEndArray();
            }
            writer.WriteString("relation_name", result.Relation);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteNumber("elapsed_time", Math.Round(elapsed.TotalSeconds, 4));
        writer.WriteStartObject("args");
        writer.WriteString("which", command.ToString().ToLowerInvariant());
        writer.WriteString("target", project.Target.Name);
        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    private void WriteMetadata(Utf8JsonWriter writer, string kind)
    {
        writer.WriteStartObject("metadata");
        writer.WriteString("dbt_schema_version", $"https://schemas.getdbt.com/dbt/{kind}/v12.json");
        writer.WriteNumber("sluice_artifact_version", ArtifactVersion);
        writer.WriteString("generated_at", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture));
        writer.WriteString("project_name", project.Name);
        writer.WriteString("adapter_type", project.Target.Type == TargetType.DuckDb ? "duckdb" : "postgres");
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case Dictionary<string, object?> dict:
                writer.WriteStartObject();
                foreach (var (k, v) in dict)
                {
                    writer.WritePropertyName(k);
                    WriteValue(writer, v);
                }
                writer.WriteEndObject();
                break;
            case List<object?> list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(writer, item);
                }
                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Templating.JinjaValues.ToText(value));
                break;
        }
    }

    private void WriteJson(string name, Action<Utf8JsonWriter> write)
    {
        Directory.CreateDirectory(targetDirectory);
        var path = Path.Combine(targetDirectory, name);
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
