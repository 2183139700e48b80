using Sluice.Configuration;
using Sluice.Formats;

namespace Sluice.Connectors;

/// <summary>
/// A connector's option list that depends on the row formats known (<see cref="ConnectorFormats.FormatOption"/>,
/// <see cref="ConnectorFormats.FormatKeyPatterns"/>): built on first use and rebuilt when <see cref="RowFormats"/> gains
/// a format, so a format assembly loaded after the connector (avro-confluent, json-registry) is accepted by it.
/// Thread-safe; the list is rebuilt only at configuration time, never per record.
/// </summary>
/// <param name="build">Builds the list from the formats known when it runs.</param>
public sealed class FormatAwareOptions(Func<IReadOnlyList<ConfigOption>> build)
{
    private readonly Func<IReadOnlyList<ConfigOption>> _build = build ?? throw new ArgumentNullException(nameof(build));
    private Snapshot? _current;

    /// <summary>The list for the formats known now.</summary>
    public IReadOnlyList<ConfigOption> Current
    {
        get
        {
            var version = RowFormats.Version;
            if (Volatile.Read(ref _current) is { } current && current.Version == version)
            {
                return current.Options;
            }
            var options = _build();
            Volatile.Write(ref _current, new Snapshot(version, options));
            return options;
        }
    }

    private sealed record Snapshot(int Version, IReadOnlyList<ConfigOption> Options);
}
