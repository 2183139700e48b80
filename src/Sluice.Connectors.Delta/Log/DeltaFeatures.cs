namespace Sluice.Connectors.Delta.Log;

/// <summary>
/// Which protocol versions and table features Sluice implements (PROTOCOL.md, "Table Features", "Reader/Writer Version
/// Requirements"). Reading: reader versions 1–3; reader features <c>timestampNtz</c> and <c>vacuumProtocolCheck</c>;
/// <c>columnMapping</c> only with mode <c>none</c>. Writing: writer versions 1, 2 and 7 with writer features
/// <c>appendOnly</c>, <c>invariants</c>, <c>timestampNtz</c>, <c>vacuumProtocolCheck</c> (and <c>columnMapping</c>
/// with mode none). Anything else is refused with one error naming the version or the feature. Stateless.
/// </summary>
internal static class DeltaFeatures
{
    /// <summary>The highest reader version Sluice reads.</summary>
    public const int MaxReaderVersion = 3;

    private static readonly HashSet<string> s_readerFeatures = new(StringComparer.Ordinal) { "timestampNtz", "vacuumProtocolCheck", "columnMapping" };

    private static readonly HashSet<string> s_writerFeatures = new(StringComparer.Ordinal)
    {
        "appendOnly", "invariants", "timestampNtz", "vacuumProtocolCheck", "columnMapping",
    };

    /// <summary>Checks that Sluice can read a table with this protocol and metadata.</summary>
    /// <exception cref="DeltaException">A reader version above 3, or a reader feature Sluice does not implement, named.</exception>
    public static void CheckReadable(string tablePath, long version, ProtocolAction protocol, MetadataAction metadata)
    {
        if (protocol.MinReaderVersion > MaxReaderVersion)
        {
            throw new DeltaException($"Table '{tablePath}' at version {version} needs Delta reader version {protocol.MinReaderVersion}; Sluice reads versions 1 to {MaxReaderVersion}.", version);
        }
        if (protocol.MinReaderVersion == 3)
        {
            foreach (var feature in protocol.ReaderFeatures ?? [])
            {
                if (!s_readerFeatures.Contains(feature))
                {
                    throw new DeltaException($"Table '{tablePath}' at version {version} needs the Delta reader feature '{feature}', which Sluice does not implement (it reads: {string.Join(", ", s_readerFeatures)}).", version);
                }
            }
        }
        CheckColumnMapping(tablePath, version, protocol, metadata);
    }

    /// <summary>Checks that Sluice can write (append to) a table with this protocol and metadata.</summary>
    /// <exception cref="DeltaException">A writer version Sluice does not implement, or a writer feature, named.</exception>
    public static void CheckWritable(string tablePath, long version, ProtocolAction protocol, MetadataAction metadata)
    {
        CheckReadable(tablePath, version, protocol, metadata);
        if (protocol.MinWriterVersion is > 2 and < 7 or > 7)
        {
            throw new DeltaException($"Table '{tablePath}' at version {version} needs Delta writer version {protocol.MinWriterVersion}; Sluice writes tables of writer version 1, 2 or 7 (with the features it implements).", version);
        }
        if (protocol.MinWriterVersion == 7)
        {
            foreach (var feature in protocol.WriterFeatures ?? [])
            {
                if (!s_writerFeatures.Contains(feature))
                {
                    throw new DeltaException($"Table '{tablePath}' at version {version} needs the Delta writer feature '{feature}', which Sluice does not implement (it writes: {string.Join(", ", s_writerFeatures)}).", version);
                }
            }
        }
    }

    private static void CheckColumnMapping(string tablePath, long version, ProtocolAction protocol, MetadataAction metadata)
    {
        if (protocol.MinReaderVersion >= 2 && metadata.Configuration.TryGetValue("delta.columnMapping.mode", out var mode) && mode is not null and not "none")
        {
            throw new DeltaException($"Table '{tablePath}' at version {version} uses the Delta feature 'columnMapping' (mode '{mode}'), which Sluice does not implement.", version);
        }
    }
}
