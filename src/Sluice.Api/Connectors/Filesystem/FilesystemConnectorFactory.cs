using Sluice.Configuration;
using Sluice.Formats;
using Sluice.Formats.Parquet;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Sources;

namespace Sluice.Connectors.Filesystem;

/// <summary>
/// The 'filesystem' connector: rows as lines of a json, csv or raw file, or as Parquet files (a bulk format: each part
/// file is finished, footer written, when it is staged at a checkpoint or rolls). As a sink it writes part files into the
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
        new("format", ConfigOptionType.Enum, "The files' format: json, csv or raw lines, or parquet files.")
        {
            IsRequired = true,
            AllowedValues = ["json", "csv", "raw", "parquet"],
        },
        .. ConnectorFormats.FormatKeyPatterns("", ["json", "csv", "raw"]), // its row formats (parquet's keys are below)
        new("partition.default-name", ConfigOptionType.String, "The directory name of a partition whose value is null or an empty string.") { DefaultValue = PartitionPaths.DefaultPartitionName },
        .. ParquetWriteOptions.Options,
        new("sink.rolling-policy.file-size", ConfigOptionType.String, "The size at which a bucket's in-progress part file rolls to a new one: bytes, or a number with unit b, kb, mb or gb.") { DefaultValue = "128mb" },
        new("sink.rolling-policy.rollover-interval", ConfigOptionType.Duration, "The age (processing time) at which a bucket's in-progress part file rolls to a new one.") { DefaultValue = "30 min" },
        new("sink.rolling-policy.check-interval", ConfigOptionType.Duration, "How often the age of the in-progress part files is checked against the rollover interval.") { DefaultValue = "1 min" },
        ConfigOption.Choice("schema.evolution", "With format 'parquet' and no partition columns, what the sink does with rows of a schema other than the table's (a registry source following its subject): 'add-columns' starts a new part file with the new nullable columns (older files read them as null); 'none' writes every row with the table's schema. An incompatible change fails the job, naming the subject, version and field.", "add-columns", "none", "add-columns"),
    ];

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Reads rows from a json, csv, raw or parquet file or table directory (partitioned or not), or writes them exactly once into part files of a directory.";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Source | ConnectorCapabilities.Sink;

    /// <inheritdoc />
    public ChangelogMode GetSourceChangelogMode(ConnectorContext context) => ChangelogMode.InsertOnly;

    /// <inheritdoc />
    /// <remarks>The json, csv and raw formats carry no row kind: a retraction row fails the job, naming the row.</remarks>
    public ChangelogMode GetSinkChangelogMode(ConnectorContext context) => ChangelogMode.InsertOnly;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_options;

    /// <summary>The extension of the part files a sink commits in <paramref name="format"/> (<c>.jsonl</c>, <c>.csv</c>, <c>.parquet</c>, <c>.txt</c>).</summary>
    /// <param name="format">json, csv, parquet or raw.</param>
    public static string FileExtension(string format) => format switch
    {
        "json" => ".jsonl",
        "csv" => ".csv",
        ParquetWriteOptions.Identifier => ".parquet",
        _ => ".txt",
    };

    /// <inheritdoc />
    /// <remarks>
    /// When <c>path</c> is a directory, the source reads the table the sink wrote there: every file under it, the
    /// partition columns (<see cref="ConnectorContext.PartitionKeys"/>) parsed from each file's directories
    /// (<see cref="FileTableSource"/>); a file whose path has no valid value for a partition column becomes a dead letter.
    /// When <c>path</c> is a file, the source reads that file (<see cref="FileSource{T}"/>).
    /// </remarks>
    /// <exception cref="ConfigOptionsException">The format's options are invalid, a column cannot be read as Parquet, a partition column is not supported, or <c>path</c> is a file of a partitioned table.</exception>
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
            if (format is null)
            {
                _ = new ParquetPartWriters(context.Schema, ParquetWriteOptions.Default); // checks the columns map to Parquet
                var full = Path.GetFullPath(path);
                return new FileTableSource(Path.GetDirectoryName(full)!, context.Schema, [], context.Schema, PartitionPaths.DefaultPartitionName, null, Path.GetFileName(full));
            }
            return new FileSource<Row>(path, MessageDeserializers.Rows(ConnectorFormats.CreateDeserializer(format.Value, context.Schema, Name)));
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
        if (format is null)
        {
            _ = new ParquetPartWriters(body, ParquetWriteOptions.Default); // checks the columns map to Parquet
        }
        return new FileTableSource(path, context.Schema, partitionColumns, body, defaultName,
            format is { } lines ? MessageDeserializers.Rows(ConnectorFormats.CreateDeserializer(lines, body, Name)) : null);
    }

    /// <inheritdoc />
    /// <remarks>
    /// With <see cref="ConnectorContext.PartitionKeys"/>, rows go to Hive-style directories <c>col=value/</c> under
    /// <c>path</c> (see <see cref="PartitionPaths"/>), their files holding the other columns only, as in Flink.
    /// </remarks>
    /// <exception cref="ConfigOptionsException">The format's or the rolling policy's options are invalid, a column cannot be written as Parquet, or a partition column cannot name a directory.</exception>
    public ISink<Row> CreateSink(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var format = Format(context.Options);
        var rolling = RollingPolicy(context.Options);
        var path = context.Options.GetString("path")!;
        var extension = FileExtension(format?.Format.Identifier ?? ParquetWriteOptions.Identifier);
        var body = context.Schema;
        Func<IPartFileBucketer<Row>>? bucketers = null;
        if (context.PartitionKeys.Count > 0)
        {
            (bucketers, body) = RowPartitionBucketer.For(context.Schema, context.PartitionKeys, DefaultPartitionName(context.Options), Name);
        }
        var sink = format is { } lines
            ? new PartFileSink<Row>(path, MessageSerializers.Rows(ConnectorFormats.CreateSerializer(lines, body, Name)), extension, bucketers)
            : new PartFileSink<Row>(path, new ParquetPartWriters(body, ParquetWriteOptions.From(context.Options),
                bucketers is null && context.Options.GetChoice("schema.evolution") != "none" ? SchemaEvolutionMode.AddColumns : SchemaEvolutionMode.None, path), extension, bucketers);
        sink.RollingPolicy = rolling;
        return sink;
    }

    private static PartFileRollingPolicy RollingPolicy(ConfigOptions options)
    {
        var text = options.GetString("sink.rolling-policy.file-size")!;
        if (!TryParseSize(text, out var size))
        {
            throw options.Invalid("sink.rolling-policy.file-size", "must be a positive size in bytes, or a number with unit b, kb, mb or gb such as '128mb'");
        }
        var interval = options.GetDuration("sink.rolling-policy.rollover-interval")!.Value;
        var check = options.GetDuration("sink.rolling-policy.check-interval")!.Value;
        if (interval <= TimeSpan.Zero)
        {
            throw options.Invalid("sink.rolling-policy.rollover-interval", "must be a positive duration such as '30 min'");
        }
        if (check <= TimeSpan.Zero)
        {
            throw options.Invalid("sink.rolling-policy.check-interval", "must be a positive duration such as '1 min'");
        }
        return new PartFileRollingPolicy(size, interval, check);
    }

    /// <summary>Parses a size as Flink's MemorySize: digits, optionally a unit b, kb/k, mb/m, gb/g (case-insensitive, spaces allowed).</summary>
    internal static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        var trimmed = text.AsSpan().Trim();
        var digits = 0;
        while (digits < trimmed.Length && char.IsAsciiDigit(trimmed[digits]))
        {
            digits++;
        }
        if (digits == 0 || !long.TryParse(trimmed[..digits], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        var unit = trimmed[digits..].Trim().ToString().ToLowerInvariant();
        var shift = unit switch
        {
            "" or "b" or "bytes" => 0,
            "k" or "kb" or "kib" => 10,
            "m" or "mb" or "mib" => 20,
            "g" or "gb" or "gib" => 30,
            _ => -1,
        };
        if (shift < 0 || number <= 0 || number > (long.MaxValue >> shift))
        {
            return false;
        }
        bytes = number << shift;
        return true;
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

    /// <summary>The line format and its options, or null for 'parquet' (whose options the caller reads).</summary>
    private static (RowFormat Format, IReadOnlyDictionary<string, string> Options)? Format(ConfigOptions options)
    {
        var parquet = options.GetChoice("format") == ParquetWriteOptions.Identifier;
        if (!parquet)
        {
            foreach (var key in options.Given.Keys)
            {
                if (key.StartsWith("parquet.", StringComparison.Ordinal))
                {
                    throw options.Invalid(key, $"is an option of the parquet format, but 'format' is '{options.GetChoice("format")}'; give it only with that format, so remove it");
                }
            }
            return ConnectorFormats.Resolve(options, "format", "")!.Value;
        }
        foreach (var key in options.Given.Keys)
        {
            var dot = key.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && ConnectorFormats.Identifiers.Contains(key[..dot]))
            {
                throw options.Invalid(key, $"is an option of the {key[..dot]} format, but 'format' is 'parquet'; give it only with that format, so remove it");
            }
        }
        return null;
    }
}
