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
    /// <summary>
    /// The column definitions, in order. <c>kind</c> (<c>parse</c>, <c>schema</c>, <c>rule</c>, … as the envelope names
    /// it) came last, later: a table or Parquet file written before it lacks it, and reads it as NULL.
    /// </summary>
    public const string Columns = "source VARCHAR, position VARCHAR, reason VARCHAR, payload VARCHAR, field_path VARCHAR, kind VARCHAR";

    /// <summary>Adds the <c>kind</c> column to a dead-letter table created before it (a no-op on a newer one); its old rows have kind NULL.</summary>
    public static string UpgradeSql(string quotedTable) => $"ALTER TABLE {quotedTable} ADD COLUMN IF NOT EXISTS kind VARCHAR";

    /// <summary>The kind's name as the dead-letter envelope writes it (its <c>kind</c> header).</summary>
    public static string KindName(DeadLetterKind kind) => kind switch
    {
        DeadLetterKind.Parse => "parse",
        DeadLetterKind.Schema => "schema",
        DeadLetterKind.Rule => "rule",
        DeadLetterKind.Sink => "sink",
        DeadLetterKind.Late => "late",
        DeadLetterKind.Processing => "processing",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown dead-letter kind."),
    };

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
                    .AppendValue(letter.Payload).AppendValue(letter.FieldPath).AppendValue(KindName(letter.Kind)).EndRow();
            }
        }
        connection.Execute($"COPY _sluice_dead_letters TO {TableSchema.Literal(path)} (FORMAT parquet, COMPRESSION zstd)");
        connection.Execute("DROP TABLE _sluice_dead_letters");
    }
}
