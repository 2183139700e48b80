using Sluice.Configuration;
using Sluice.Formats;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Sources;

namespace Sluice.Connectors.Filesystem;

/// <summary>
/// The 'filesystem' connector: rows as lines of a json, csv or raw file. As a sink it writes part files into the
/// directory <c>path</c> exactly once (<see cref="PartFileSink{T}"/>: a file per subtask and checkpoint, committed when
/// the checkpoint completes); as a source it reads the file <c>path</c> (bounded, <see cref="FileSource{T}"/>) or every
/// file of the table directory <c>path</c>, partition values included (<see cref="FileTableSource"/>), a line that does
/// not decode becoming a dead letter with its line number and field path. Thread-safe and stateless.
/// </summary>
public sealed class FilesystemConnectorFactory : IConnectorFactory
{
    /// <summary>The identifier, as in Flink.</summary>
    public const string Name = "filesystem";

    private static readonly ConfigOption[] s_options =
    [
        ConfigOption.Required("path", ConfigOptionType.String,
            "The table directory a sink writes its part files into; a source reads every file under it, or the one file it names."),
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
    public string Description => "Reads rows from a json, csv or raw file or table directory (partitioned or not), or writes them exactly once into part files of a directory.";

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
    /// <remarks>
    /// When <c>path</c> is a directory, the source reads the table the sink wrote there: every file under it, the
    /// partition columns (<see cref="ConnectorContext.PartitionKeys"/>) parsed from each file's directories
    /// (<see cref="FileTableSource"/>); a file whose path has no valid value for a partition column becomes a dead letter.
    /// When <c>path</c> is a file, the source reads that file (<see cref="FileSource{T}"/>).
    /// </remarks>
    /// <exception cref="ConfigOptionsException">The format is 'parquet' or its options are invalid, a partition column is not supported, or <c>path</c> is a file of a partitioned table.</exception>
    public ISource<Row> CreateSource(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var format = Format(context.Options);
        var path = context.Options.GetString("path")!;
        if (!Directory.Exists(path))
        {
            if (context.PartitionKeys.Count > 0)
            {
                throw context.Options.Invalid("path", "must name the table directory of a partitioned table: its partition values are read from the directories under it");
            }
            return new FileSource<Row>(path, MessageDeserializers.Rows(ConnectorFormats.CreateDeserializer(format, context.Schema, Name)));
        }
        var defaultName = DefaultPartitionName(context.Options);
        var partitionColumns = new int[context.PartitionKeys.Count];
        var body = context.Schema;
        if (partitionColumns.Length > 0)
        {
            (_, body) = RowPartitionBucketer.For(context.Schema, context.PartitionKeys, defaultName, Name);
            for (var i = 0; i < partitionColumns.Length; i++)
            {
                partitionColumns[i] = context.Schema.IndexOf(context.PartitionKeys[i]);
            }
        }
        return new FileTableSource(path, context.Schema, partitionColumns, body, defaultName,
            MessageDeserializers.Rows(ConnectorFormats.CreateDeserializer(format, body, Name)));
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
        var defaultName = DefaultPartitionName(context.Options);
        var (bucketers, body) = RowPartitionBucketer.For(context.Schema, context.PartitionKeys, defaultName, Name);
        return new PartFileSink<Row>(path, MessageSerializers.Rows(ConnectorFormats.CreateSerializer(format, body, Name)), extension, bucketers);
    }

    private static string DefaultPartitionName(ConfigOptions options)
    {
        var defaultName = options.GetString("partition.default-name")!;
        if (defaultName.Length == 0 || PartitionPaths.Escape(defaultName) != defaultName || defaultName is "." or "..")
        {
            throw options.Invalid("partition.default-name", "must be a directory name without characters that partition paths escape (\" # % ' * / : = ? \\ { } [ ] ^)");
        }
        return defaultName;
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
