using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sluice.Orchestration.Definitions;

/// <summary>
/// Reads DAG definitions from YAML: one DAG per <c>*.yml</c>/<c>*.yaml</c> file of a folder (docs/orchestration.md has
/// the reference). Every file is read and validated before any DAG is returned; the first problem is a
/// <see cref="DagDefinitionException"/> naming the file, line, DAG and task.
/// </summary>
public static class DagFileLoader
{
    /// <summary>
    /// Loads every DAG of <paramref name="directory"/> (not recursive), ordered by id; duplicate ids are an error.
    /// A missing folder is an error naming it.
    /// </summary>
    public static IReadOnlyList<DagDefinition> LoadDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            throw new DagDefinitionException($"The DAGs folder '{directory}' does not exist: create it or pass --dags-dir.");
        }
        var files = Directory.EnumerateFiles(directory, "*.yml").Concat(Directory.EnumerateFiles(directory, "*.yaml")).Order(StringComparer.Ordinal);
        var dags = new List<DagDefinition>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in files)
        {
            var display = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
            var dag = Parse(File.ReadAllText(path), display, Path.GetDirectoryName(Path.GetFullPath(path))!);
            if (seen.TryGetValue(dag.Id, out var other))
            {
                throw new DagDefinitionException($"{display}:1: DAG id '{dag.Id}' is also defined in {other}: DAG ids must be unique.");
            }
            seen[dag.Id] = display;
            dags.Add(dag);
        }
        return [.. dags.OrderBy(d => d.Id, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Parses one DAG from <paramref name="yaml"/>; <paramref name="file"/> names it in errors and relative paths in
    /// tasks (shell <c>cwd</c>, models <c>project_dir</c>, DuckDB files) resolve against <paramref name="baseDirectory"/>.
    /// </summary>
    public static DagDefinition Parse(string yaml, string file, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new DagDefinitionException($"{file}:{e.Start.Line}: {e.Message.TrimEnd('.')}.", e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new DagDefinitionException($"{file}:1: a DAG file holds one mapping (dag_id, schedule, tasks…).");
        }
        var reader = new YamlFields(file, root);
        var id = reader.RequiredString("dag_id");
        var builder = new DagBuilder(id) { SourceFile = file };
        try
        {
            var schedule = reader.String("schedule");
            builder.Schedule(schedule, reader.String("timezone"));
        }
        catch (FormatException e)
        {
            throw new DagDefinitionException($"{file}:{reader.LineOf("timezone", "schedule")}: DAG '{id}': {e.Message}.", e);
        }
        builder.StartDate(reader.Date("start_date", builder.TimeZone) ?? throw reader.Missing("start_date", $"DAG '{id}'"));
        if (reader.Date("end_date", builder.TimeZone) is { } end)
        {
            builder.EndDate(end);
        }
        builder.CatchUp(reader.Bool("catchup") ?? false);
        builder.MaxActiveRuns(reader.Int("max_active_runs") ?? 1);
        var webhook = reader.String("sla_webhook") is { } hook ? ParseWebhook(hook, reader, id) : null;
        if (reader.Duration("sla", DagBuilder.MaxDelay) is { } sla)
        {
            builder.Sla(sla, webhook);
        }
        else if (webhook is not null)
        {
            // Such files loaded before sla_webhook was checked: keep loading them (the scheduler warns, the hook is unused).
            builder.UnusedSlaWebhook(webhook);
        }
        foreach (var (name, value) in reader.StringMap("params"))
        {
            builder.Param(name, value);
        }
        var defaults = reader.Mapping("default_args") is { } d ? ReadControls(new YamlFields(file, d), TaskControls.Default) : TaskControls.Default;
        var tasks = reader.Sequence("tasks") ?? throw reader.Missing("tasks", $"DAG '{id}'");
        foreach (var node in tasks.Children)
        {
            if (node is not YamlMappingNode taskNode)
            {
                throw new DagDefinitionException($"{file}:{node.Start.Line}: DAG '{id}': each task is a mapping (id, kind, …).");
            }
            var task = new YamlFields(file, taskNode);
            var taskId = task.RequiredString("id");
            var action = ReadAction(task, id, taskId, baseDirectory);
            builder.Task(taskId, action, t =>
            {
                t.DependsOn([.. task.StringList("depends_on")]);
                t.Controls(ReadControls(task, defaults));
                t.Line(task.Line);
            });
        }
        return builder.Build();
    }

    /// <summary>An absolute http(s) URL; the error names the field but never the value (it may hold a secret).</summary>
    private static Uri ParseWebhook(string text, YamlFields reader, string dagId) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new DagDefinitionException($"{reader.File}:{reader.LineOf("sla_webhook")}: DAG '{dagId}': sla_webhook must be an absolute http:// or https:// URL.");

    private static TaskControls ReadControls(YamlFields fields, TaskControls defaults) => defaults with
    {
        Retries = fields.Int("retries") ?? defaults.Retries,
        RetryDelay = fields.Duration("retry_delay", DagBuilder.MaxDelay) ?? defaults.RetryDelay,
        BackoffFactor = fields.Double("retry_backoff") ?? defaults.BackoffFactor,
        MaxRetryDelay = fields.Duration("max_retry_delay", DagBuilder.MaxDelay) ?? defaults.MaxRetryDelay,
        Timeout = fields.Duration("timeout", DagBuilder.MaxTimeout) ?? defaults.Timeout,
    };

    private static TaskAction ReadAction(YamlFields task, string dagId, string taskId, string baseDirectory)
    {
        var what = $"DAG '{dagId}', task '{taskId}'";
        var kind = task.RequiredString("kind");
        string Resolve(string path) => path.Contains("{{", StringComparison.Ordinal) || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(baseDirectory, path));
        SqlConnectionTarget Connection()
        {
            var duckdb = task.String("duckdb");
            var postgres = task.String("postgres");
            if ((duckdb is null) == (postgres is null))
            {
                throw new DagDefinitionException($"{task.File}:{task.Line}: {what}: give exactly one of 'duckdb: <file>' or 'postgres: <connection string>'.");
            }
            return new SqlConnectionTarget(duckdb is null ? null : Resolve(duckdb), postgres);
        }
        string Required(string key) => task.String(key) is { Length: > 0 } value ? value : throw task.Missing(key, what);
        TimeSpan Poke() => task.Duration("poke_interval", DagBuilder.MaxDelay) ?? TimeSpan.FromSeconds(30);
        return kind switch
        {
            "shell" => new ShellAction(task.RequiredString("command"))
            {
                WorkingDirectory = task.String("cwd") is { } cwd ? Resolve(cwd) : baseDirectory,
                Environment = task.StringMap("env"),
            },
            "sql" => new SqlAction(Connection(), task.RequiredString("sql")),
            "http" => new HttpAction(task.String("method") ?? "GET", task.RequiredString("url"))
            {
                ExpectedStatus = task.Int("expected_status") ?? 200,
                Body = task.String("body"),
            },
            "models" => new ModelsAction(Resolve(task.RequiredString("project_dir")))
            {
                Select = task.StringList("select"),
                Command = task.String("command") ?? "build",
                Target = task.String("target"),
                Vars = task.StringMap("vars"),
            },
            "file_sensor" => new FileSensorAction(Resolve(task.RequiredString("path"))) { PokeInterval = Poke() },
            "table_fresh_sensor" => new TableFreshSensorAction(Connection(), task.RequiredString("table"), task.RequiredString("column"))
            {
                Threshold = task.String("threshold") ?? "{{ data_interval_end }}",
                PokeInterval = Poke(),
            },
            "upstream_dag_sensor" => new UpstreamDagSensorAction(task.RequiredString("upstream_dag")) { PokeInterval = Poke() },
            "topic_sensor" => new TopicSensorAction(Required("topic"))
            {
                Partition = task.Long("partition") is { } partition ? checked((int)partition) : null,
                Offset = task.Long("offset"),
                EventTime = task.String("event_time"),
                BootstrapServers = task.String("bootstrap_servers"),
                PokeInterval = Poke(),
            },
            "sql_job" => new SqlJobAction(Required("sql")),
            "job_savepoint" => new JobSavepointAction(Required("job"))
            {
                ServerUrl = task.String("server_url"),
                TokenVariable = task.String("token_env") ?? JobSavepointAction.DefaultTokenVariable,
            },
            _ => throw new DagDefinitionException($"{task.File}:{task.LineOf("kind")}: {what}: unknown kind '{kind}'; use shell, sql, http, models, sql_job, job_savepoint, file_sensor, table_fresh_sensor, topic_sensor or upstream_dag_sensor."),
        };
    }

    /// <summary>Typed reads of one YAML mapping, with the line of each field for messages.</summary>
    private sealed class YamlFields(string file, YamlMappingNode node)
    {
        public string File { get; } = file;

        public int Line => (int)node.Start.Line;

        public int LineOf(params string[] keys)
        {
            foreach (var key in keys)
            {
                if (Find(key) is { } value)
                {
                    return (int)value.Start.Line;
                }
            }
            return Line;
        }

        public DagDefinitionException Missing(string key, string what) =>
            new($"{File}:{Line}: {what}: the field '{key}' is required.");

        public string RequiredString(string key) => String(key) is { Length: > 0 } s ? s : throw new DagDefinitionException($"{File}:{Line}: the field '{key}' is required here.");

        public string? String(string key) => Find(key) switch
        {
            null => null,
            YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" } => null,
            YamlScalarNode scalar => scalar.Value,
            var other => throw Bad(other, key, "a string"),
        };

        public long? Long(string key) => String(key) is { } s
            ? long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(Find(key)!, key, "a whole number")
            : null;

        public int? Int(string key) => Long(key) is { } v
            ? v is >= int.MinValue and <= int.MaxValue ? (int)v : throw Bad(Find(key)!, key, "a whole number between -2147483648 and 2147483647")
            : null;

        public double? Double(string key) => String(key) is { } s
            ? s is ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF" ? double.PositiveInfinity
            : double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && !double.IsNaN(v) ? v : throw Bad(Find(key)!, key, "a number")
            : null;

        public bool? Bool(string key) => String(key) is { } s
            ? s.ToLowerInvariant() switch { "true" or "yes" or "on" => true, "false" or "no" or "off" => false, _ => throw Bad(Find(key)!, key, "true or false") }
            : null;

        /// <summary>A duration of at most <paramref name="max"/> (longer ones would overflow the timers and dates they feed).</summary>
        public TimeSpan? Duration(string key, TimeSpan max)
        {
            if (String(key) is not { } s)
            {
                return null;
            }
            var duration = ParseDuration(s) ?? throw Bad(Find(key)!, key, "a duration such as 30s, 5m, 2h, 1d or a number of seconds");
            return duration <= max
                ? duration
                : throw Bad(Find(key)!, key, $"at most {max.TotalDays.ToString(CultureInfo.InvariantCulture)} days");
        }

        public DateTimeOffset? Date(string key, TimeZoneInfo zone)
        {
            if (String(key) is not { } s)
            {
                return null;
            }
            if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset) && (s.Contains('Z', StringComparison.Ordinal) || s.Contains('+', StringComparison.Ordinal) || s.LastIndexOf('-') > 7))
            {
                return withOffset;
            }
            if (DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            {
                // A date without offset is a wall-clock time of the DAG's zone.
                return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone.GetUtcOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified)));
            }
            throw Bad(Find(key)!, key, "a date (2024-01-01) or date-time (2024-01-01T02:00:00Z)");
        }

        public YamlMappingNode? Mapping(string key) => Find(key) switch
        {
            null => null,
            YamlMappingNode m => m,
            var other => throw Bad(other, key, "a mapping"),
        };

        public YamlSequenceNode? Sequence(string key) => Find(key) switch
        {
            null => null,
            YamlSequenceNode s => s,
            var other => throw Bad(other, key, "a list"),
        };

        public IReadOnlyList<string> StringList(string key) => Find(key) switch
        {
            null => [],
            YamlScalarNode scalar => scalar.Value is { Length: > 0 } v ? [v] : [],
            YamlSequenceNode s => [.. s.Children.Select(c => c is YamlScalarNode { Value: { } v } ? v : throw Bad(c, key, "a list of strings"))],
            var other => throw Bad(other, key, "a list of strings"),
        };

        public IReadOnlyDictionary<string, string> StringMap(string key)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (Mapping(key) is { } map)
            {
                foreach (var (k, v) in map.Children)
                {
                    result[((YamlScalarNode)k).Value ?? ""] = v is YamlScalarNode { Value: var value } ? value ?? "" : throw Bad(v, key, "a mapping of strings");
                }
            }
            return result;
        }

        private YamlNode? Find(string key) =>
            node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        private DagDefinitionException Bad(YamlNode value, string key, string expected) =>
            new($"{File}:{value.Start.Line}: the field '{key}' must be {expected}.");
    }

    /// <summary>
    /// <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, <c>250ms</c>, a number of seconds, or <c>hh:mm:ss</c>; null when it is
    /// none of these. A duration too long for <see cref="TimeSpan"/> is <see cref="TimeSpan.MaxValue"/> (callers refuse it
    /// as too long) rather than an overflow.
    /// </summary>
    internal static TimeSpan? ParseDuration(string text)
    {
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return Seconds(seconds);
        }
        foreach (var (suffix, unit) in new[] { ("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0), ("d", 86400.0) })
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
            {
                return Seconds(n * unit);
            }
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero ? span : null;

        static TimeSpan? Seconds(double value) =>
            double.IsNaN(value) || value < 0 ? null : value >= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds(value);
    }
}
