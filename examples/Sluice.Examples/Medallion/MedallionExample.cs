using DuckDB.NET.Data;
using Sluice.Connectors.Log;
using Sluice.Log;

namespace Sluice.Examples.Medallion;

/// <summary>Options of a medallion run.</summary>
/// <param name="Lines">Input lines generated into topic <c>orders</c> (once per data directory).</param>
/// <param name="Seed">Generator seed.</param>
/// <param name="DataDirectory">Where the log, lake, warehouse and checkpoints live.</param>
/// <param name="ParserVersion">Silver's parser: 1, or 2 (the fix that also reads amounts written as decimal strings).</param>
/// <param name="Parallelism">Subtasks per operator.</param>
public sealed record MedallionOptions(int Lines, int Seed, string DataDirectory, int ParserVersion = 1, int Parallelism = 2);

/// <summary>What the layers hold after a run, read back from where they landed (not from the job's counters).</summary>
/// <param name="Bronze">Records in the bronze lake (every record of topic <c>orders</c>).</param>
/// <param name="Silver">Rows of <c>silver_orders</c>.</param>
/// <param name="Duplicates">Repeats dedup dropped (<c>silver_duplicates</c>).</param>
/// <param name="DeadLetters">Dead letters in <c>orders.dlq</c>, and their count by reason kind and rule.</param>
/// <param name="Gold">Rows of <c>gold_country_revenue</c>, by country.</param>
public sealed record MedallionLayers(long Bronze, long Silver, long Duplicates, DeadLetterStats DeadLetters, IReadOnlyList<CountryRevenue> Gold);

/// <summary>
/// Runs the medallion example (<c>sluice example medallion</c>): generates the input into the embedded log once, runs
/// the pipeline with checkpoints (a later run — after a fix and a <c>sluice dlq replay</c> — resumes from the last
/// checkpoint and reads only what was appended since), and reads the layers back.
/// </summary>
public static class MedallionExample
{
    /// <summary>Runs the pipeline once over what topic <c>orders</c> holds beyond the last checkpoint.</summary>
    public static async Task<(MedallionTruth Truth, JobResult Result)> RunAsync(MedallionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var paths = new MedallionPaths(Path.GetFullPath(options.DataDirectory));
        Directory.CreateDirectory(paths.Root);
        var truth = MedallionInput.Generate(options.Lines, options.Seed);
        using var log = PartitionedLog.Open(paths.Log);
        MedallionInput.Produce(log, truth);
        var env = StreamEnvironment.Create(MedallionPipeline.JobOptions(paths, options.Parallelism));
        MedallionPipeline.Build(env, log, paths, options.ParserVersion);
        var result = await env.Start(cancellationToken: cancellationToken).Completion.ConfigureAwait(false);
        return (truth, result);
    }

    /// <summary>Reads what each layer holds in <paramref name="paths"/> (the log must not be open elsewhere).</summary>
    public static MedallionLayers ReadLayers(MedallionPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        DeadLetterStats stats;
        using (var log = PartitionedLog.Open(paths.Log))
        {
            stats = new DeadLetterQueue(log).Stats(MedallionInput.Topic);
        }
        using var connection = new DuckDBConnection($"Data Source={paths.Warehouse};ACCESS_MODE=READ_ONLY");
        connection.Open();
        var lake = Path.Combine(paths.Lake, "bronze_orders", "**", "*.parquet").Replace("'", "''", StringComparison.Ordinal);
        var bronze = Scalar(connection, $"SELECT count(*) FROM read_parquet('{lake}', hive_partitioning = true)");
        var silver = Scalar(connection, "SELECT count(*) FROM silver_orders");
        var duplicates = Scalar(connection, "SELECT count(*) FROM silver_duplicates");
        var gold = new List<CountryRevenue>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT country, orders, revenue_cents FROM gold_country_revenue ORDER BY country";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                gold.Add(new CountryRevenue(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
            }
        }
        return new MedallionLayers(bronze, silver, duplicates, stats, gold);
    }

    private static long Scalar(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
