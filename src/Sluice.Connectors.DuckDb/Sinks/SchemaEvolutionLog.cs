using Microsoft.Extensions.Logging;

namespace Sluice.Connectors.DuckDb.Sinks;

/// <summary>The log line of a DuckDB or lake writer widening its layout (<see cref="Schemas.RowSchemaEvolution"/>).</summary>
internal static partial class SchemaEvolutionLog
{
    /// <summary>One line: the table, the writer, the change and the rows' origin (subject and version).</summary>
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Schema evolution of table '{Table}' ({Sink}): {Change}, for rows of {Origin}.")]
    public static partial void Widened(ILogger logger, string table, string sink, string change, string origin);
}
