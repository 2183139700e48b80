using DuckDB.NET.Data;

namespace Sluice.Connectors.DuckDb.Sinks;

/// <summary>
/// The dead letters of a table sink as Parquet: one row per <see cref="DeadLetter"/> with columns <see cref="Columns"/>
/// (the envelope's fields). The warehouse sink loads the file into table <c>&lt;table&gt;.dlq</c> in the commit
/// transaction of its checkpoint; the lake sink publishes it under <c>&lt;lake&gt;/&lt;table&gt;.dlq/</c>. Either way a
/// dead letter is committed exactly once, with the rows of the checkpoint that covers it.
/// </summary>
internal static class DeadLetterFile
{
    /// <summary>The column definitions, in order.</summary>
    public const string Columns = "source VARCHAR, position VARCHAR, reason VARCHAR, payload VARCHAR, field_path VARCHAR";

    /// <summary>The column names, in order.</summary>
    public const string ColumnNames = "source, position, reason, payload, field_path";

    /// <summary>The name of the table or directory holding the dead letters of <paramref name="table"/>: <c>&lt;table&gt;.dlq</c>, as the server's dead-letter topics.</summary>
    public static string For(string table) => DeadLetters.TopicFor(table);

    /// <summary>Writes <paramref name="letters"/> to the Parquet file <paramref name="path"/> through <paramref name="connection"/> (an in-memory database).</summary>
    public static void Write(DuckDBConnection connection, IReadOnlyList<DeadLetter> letters, string path)
    {
        connection.Execute($"CREATE OR REPLACE TABLE _sluice_dead_letters ({Columns})");
        using (var appender = connection.CreateAppender("_sluice_dead_letters"))
        {
            foreach (var letter in letters)
            {
                appender.CreateRow().AppendValue(letter.Source).AppendValue(letter.Position).AppendValue(letter.Reason)
                    .AppendValue(letter.Payload).AppendValue(letter.FieldPath).EndRow();
            }
        }
        connection.Execute($"COPY _sluice_dead_letters TO {TableSchema.Literal(path)} (FORMAT parquet, COMPRESSION zstd)");
        connection.Execute("DROP TABLE _sluice_dead_letters");
    }
}
