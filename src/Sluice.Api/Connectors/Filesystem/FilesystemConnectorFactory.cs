using Sluice.Configuration;
using Sluice.Formats;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Sources;

namespace Sluice.Connectors.Filesystem;

/// <summary>
/// The 'filesystem' connector: rows as lines of a json, csv or raw file. As a sink it writes part files into the
/// directory <c>path</c> exactly once (<see cref="PartFileSink{T}"/>: a file per subtask and checkpoint, committed when
/// the checkpoint completes); as a source it reads the file <c>path</c> (bounded, <see cref="FileSource{T}"/>), a line
/// that does not decode becoming a dead letter with its line number and field path. Thread-safe and stateless.
/// </summary>
public sealed class FilesystemConnectorFactory : IConnectorFactory
{
    /// <summary>The identifier, as in Flink.</summary>
    public const string Name = "filesystem";

    private static readonly ConfigOption[] s_options =
    [
        ConfigOption.Required("path", ConfigOptionType.String,
            "The directory a sink writes its part files into, or the file a source reads."),
        new("format", ConfigOptionType.Enum, "The row format of every line; 'parquet' is not supported yet.")
        {
            IsRequired = true,
            AllowedValues = ["json", "csv", "raw", "parquet"],
        },
        .. ConnectorFormats.FormatKeyPatterns(""),
        new("partition.default-name", ConfigOptionType.String, "The directory name of a partition whose value is null or an empty string.") { DefaultValue = PartitionPaths.DefaultPartitionName },
    ];

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Reads rows from a json, csv or raw file, or writes them exactly once into part files of a directory.";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Source | ConnectorCapabilities.Sink;

    /// <inheritdoc />
    public ChangelogMode GetSourceChangelogMode(ConnectorContext context) => ChangelogMode.InsertOnly;

    /// <inheritdoc />
    /// <remarks>The json, csv and raw formats carry no row kind: a retraction row fails the job, naming the row.</remarks>
    public ChangelogMode GetSinkChangelogMode(ConnectorContext context) => ChangelogMode.InsertOnly;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_options;

    /// <summary>The extension of the part files a sink commits in <paramref name="format"/> (<c>.jsonl</c>, <c>.csv</c>, <c>.txt</c>).</summary>
    /// <param name="format">json, csv or raw.</param>
    public static string FileExtension(string format) => format switch
    {
        "json" => ".jsonl",
        "csv" => ".csv",
        _ => ".txt",
    };

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">The format is 'parquet' or its options are invalid, or <c>path</c> is a directory.</exception>
    public ISource<Row> CreateSource(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var format = Format(context.Options);
        var path = context.Options.GetString("path")!;
        if (Directory.Exists(path))
        {
            throw context.Options.Invalid("path", "must name a file for a source: reading every file of a directory is not supported yet");
        }
        return new FileSource<Row>(path, MessageDeserializers.Rows(ConnectorFormats.CreateDeserializer(format, context.Schema, Name)));
    }

    /// <inheritdoc />
    /// <remarks>
    /// With <see cref="ConnectorContext.PartitionKeys"/>, rows go to Hive-style directories <c>col=value/</c> under
    /// <c>path</c> (see <see cref="PartitionPaths"/>), their files holding the other columns only, as in Flink.
    /// </remarks>
    /// <exception cref="ConfigOptionsException">The format is 'parquet' or its options are invalid, or a partition column cannot name a directory.</exception>
    public ISink<Row> CreateSink(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var format = Format(context.Options);
        var path = context.Options.GetString("path")!;
        var extension = FileExtension(format.Format.Identifier);
        if (context.PartitionKeys.Count == 0)
        {
            return new PartFileSink<Row>(path, MessageSerializers.Rows(ConnectorFormats.CreateSerializer(format, context.Schema, Name)), extension);
        }
        var defaultName = context.Options.GetString("partition.default-name")!;
        if (defaultName.Length == 0 || PartitionPaths.Escape(defaultName) != defaultName || defaultName is "." or "..")
        {
            throw context.Options.Invalid("partition.default-name", "must be a directory name without characters that partition paths escape (\" # % ' * / : = ? \\ { } [ ] ^)");
        }
        var (bucketers, body) = RowPartitionBucketer.For(context.Schema, context.PartitionKeys, defaultName, Name);
        return new PartFileSink<Row>(path, MessageSerializers.Rows(ConnectorFormats.CreateSerializer(format, body, Name)), extension, bucketers);
    }

    private static (RowFormat Format, IReadOnlyDictionary<string, string> Options) Format(ConfigOptions options)
    {
        if (options.GetChoice("format") == "parquet")
        {
            throw options.Invalid("format", "is not supported yet: write Parquet through the DuckDB lake sink (docs/connectors/lake.md), or choose 'json', 'csv' or 'raw'");
        }
        return ConnectorFormats.Resolve(options, "format", "")!.Value;
    }
}
