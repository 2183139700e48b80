using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using Sluice.Connectors.Delta;
using Sluice.Schemas;

namespace Sluice.Bench.Cli.Suites;

/// <summary>
/// <c>sluice bench delta-merge [--rows N] [--merge-rows N] [--files N] [--json]</c>: MERGE of a changelog (half updates
/// of existing keys, half inserts, keys spread over the whole key range, so every file is rewritten) into a Delta table
/// through <see cref="DeltaTable.Merge"/>, against DuckDB doing the same join-and-rewrite over the same Parquet files
/// (a full outer join written as one Parquet file) in the same run. Both count the rows of the table after the merge.
/// </summary>
internal static class DeltaMergeBenchCommand
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, amount DOUBLE, tag STRING");

    /// <summary>Builds the <c>delta-merge</c> subcommand for <c>sluice bench</c>.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var rows = new Option<int>("--rows") { Description = "Rows of the target table (at least 2).", DefaultValueFactory = _ => 10_000_000 }.MustBeAtLeast(2);
        var mergeRows = new Option<int>("--merge-rows") { Description = "Source rows merged: half update existing keys, half insert new ones (at least 2).", DefaultValueFactory = _ => 1_000_000 }.MustBeAtLeast(2);
        var files = new Option<int>("--files") { Description = "Data files the target table is written in (one append each, contiguous key ranges; at least 1).", DefaultValueFactory = _ => 10 }.MustBeAtLeast(1);
        var command = new Command("delta-merge", "Benchmark a Delta MERGE (upsert by key, copy-on-write) against DuckDB joining and rewriting the same Parquet files.")
        {
            json, rows, mergeRows, files,
        };
        command.SetAction(r =>
        {
            var directory = Directory.CreateTempSubdirectory("sluice-bench-delta-merge-");
            try
            {
                var n = r.GetValue(rows);
                var m = Math.Min(r.GetValue(mergeRows), n);
                var target = DeltaTable.Create(Path.Combine(directory.FullName, "target"), s_schema);
                var perFile = (n + r.GetValue(files) - 1) / r.GetValue(files);
                for (long start = 0; start < n; start += perFile)
                {
                    // Existing keys are even: 0, 2, 4, …
                    target.Append(Range(start, Math.Min(n, start + perFile)).Select(i => Row.Of(s_schema, 2 * i, (double)i, "t")));
                }
                var changes = Changes(n, m);
                var source = DeltaTable.Create(Path.Combine(directory.FullName, "source"), s_schema);
                source.Append(changes);
                var output = Path.Combine(directory.FullName, "duckdb-merged.parquet");

                var duck = Stopwatch.StartNew();
                long duckRows;
                using (var connection = new DuckDBConnection("Data Source=:memory:"))
                {
                    connection.Open();
                    using var command = connection.CreateCommand();
                    command.CommandText = $"""
                        COPY (
                          SELECT COALESCE(s.id, t.id) AS id,
                                 CASE WHEN s.id IS NULL THEN t.amount ELSE s.amount END AS amount,
                                 CASE WHEN s.id IS NULL THEN t.tag ELSE s.tag END AS tag
                          FROM read_parquet('{Glob(target)}') t FULL OUTER JOIN read_parquet('{Glob(source)}') s ON t.id = s.id
                        ) TO '{output}' (FORMAT parquet, COMPRESSION snappy)
                        """;
                    duckRows = command.ExecuteNonQuery();
                }
                duck.Stop();

                var merge = Stopwatch.StartNew();
                var result = target.Merge(changes, ["id"]);
                merge.Stop();
                var mergedRows = target.GetSnapshot().RowCount ?? -1;
                var expected = n + m / 2;
                if (mergedRows != expected || duckRows != expected || result.RowsUpdated != m - m / 2 || result.RowsInserted != m / 2)
                {
                    throw new CommandFailedException($"The merge went wrong: the table has {mergedRows} rows and DuckDB wrote {duckRows}, {expected} expected; {result.RowsUpdated} updated, {result.RowsInserted} inserted.");
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"MERGE of {m:N0} rows into {n:N0} rows in {r.GetValue(files)} files: {result.FilesRemoved} files rewritten, {result.RowsCopied:N0} rows copied."));
                return CaseReport.Print(
                    [new BenchCase("sluice delta merge", m, merge.Elapsed.TotalSeconds), new BenchCase("duckdb join+rewrite", m, duck.Elapsed.TotalSeconds)],
                    r.GetValue(json), "rows", ("sluice delta merge", "duckdb join+rewrite", "merge ÷ DuckDB throughput"));
            }
            finally
            {
                directory.Delete(recursive: true);
            }
        });
        return command;
    }

    /// <summary>Half updates of existing (even) keys, half inserts of new (odd) keys, both spread evenly over the table's key range.</summary>
    private static List<Row> Changes(int n, int m)
    {
        var updates = m - m / 2;
        var inserts = m / 2;
        var rows = new List<Row>(m);
        for (long i = 0; i < updates; i++)
        {
            rows.Add(Row.Of(s_schema, 2 * (i * n / updates), -1.0, "updated"));
        }
        for (long i = 0; i < inserts; i++)
        {
            rows.Add(Row.Of(s_schema, 2 * (i * n / inserts) + 1, -2.0, "inserted"));
        }
        return rows;
    }

    private static IEnumerable<long> Range(long from, long to)
    {
        for (var i = from; i < to; i++)
        {
            yield return i;
        }
    }

    private static string Glob(DeltaTable table) => Path.Combine(table.Path, "*.parquet");
}
