using Parquet;
using Sluice.Configuration;

namespace Sluice.Formats.Parquet;

/// <summary>
/// The options of the <c>parquet</c> bulk format, with the names of the <c>parquet.*</c> keys Flink passes to its
/// Parquet writer: <c>parquet.compression</c> (snappy by default, as in Flink and Spark) and <c>parquet.block.size</c>
/// (the buffered size, in bytes, at which a row group is written). Immutable and thread-safe.
/// </summary>
internal sealed record ParquetWriteOptions(CompressionMethod Compression, long RowGroupBytes)
{
    /// <summary>The format's identifier, as in <c>'format' = 'parquet'</c>.</summary>
    public const string Identifier = "parquet";

    /// <summary>The default buffered size of a row group: 16 MiB (see <see cref="Options"/> for why not Flink's 128 MB).</summary>
    public const long DefaultRowGroupBytes = 16L << 20;

    /// <summary>The compression codecs <c>parquet.compression</c> accepts (Parquet's names, lower case).</summary>
    public static IReadOnlyList<string> Codecs { get; } = ["snappy", "gzip", "zstd", "lz4_raw", "brotli", "uncompressed"];

    /// <summary>Snappy compression, 16 MiB row groups.</summary>
    public static ParquetWriteOptions Default { get; } = new(CompressionMethod.Snappy, DefaultRowGroupBytes);

    /// <summary>
    /// The keys of the format (without a connector prefix). The row-group size defaults to 16 MiB instead of Flink's
    /// 128 MB because a writer buffers a row group per open bucket (up to 64), all in memory.
    /// </summary>
    public static IReadOnlyList<ConfigOption> Options { get; } =
    [
        ConfigOption.Choice("parquet.compression", "The compression codec of every column chunk.", "snappy", [.. Codecs]),
        new("parquet.block.size", ConfigOptionType.Long, "The estimated uncompressed size in bytes of the rows a writer buffers before it writes them as one row group.")
        {
            DefaultValue = DefaultRowGroupBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Minimum = 1,
        },
    ];

    /// <summary>Reads the validated options of the format.</summary>
    /// <param name="options">Options validated against <see cref="Options"/> (keys without prefix).</param>
    public static ParquetWriteOptions From(ConfigOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var codec = options.GetChoice("parquet.compression") switch
        {
            "gzip" => CompressionMethod.Gzip,
            "zstd" => CompressionMethod.Zstd,
            "lz4_raw" => CompressionMethod.Lz4Raw,
            "brotli" => CompressionMethod.Brotli,
            "uncompressed" => CompressionMethod.None,
            _ => CompressionMethod.Snappy,
        };
        return new ParquetWriteOptions(codec, options.GetInt64("parquet.block.size") ?? DefaultRowGroupBytes);
    }

    /// <summary>Validates the format's own options (keys without prefix) and reads them.</summary>
    /// <exception cref="ConfigOptionsException">An unknown key or an invalid value; the message lists the valid ones.</exception>
    public static ParquetWriteOptions Read(IReadOnlyDictionary<string, string> options) =>
        From(ConfigOptions.Validate(OptionOwnerKind.Format, Identifier, Options, options));
}
