namespace Sluice.Cli.Tests;

/// <summary><c>sluice sql -f</c> over the nexmark/nexmark Flink SQL files, reading the real 'nexmark' connector.</summary>
public sealed class SqlNexmarkTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-sql-nexmark-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A nexmark/nexmark SQL file (copied next to the tests) with its <c>${…}</c> placeholders substituted.</summary>
    private static string Substituted(string file) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "nexmark", file))
            .Replace("${TPS}", "10000", StringComparison.Ordinal)
            .Replace("${EVENTS_NUM}", "1000", StringComparison.Ordinal)
            .Replace("${PERSON_PROPORTION}", "1", StringComparison.Ordinal)
            .Replace("${AUCTION_PROPORTION}", "3", StringComparison.Ordinal)
            .Replace("${BID_PROPORTION}", "46", StringComparison.Ordinal)
            .Replace("${NEXMARK_TABLE}", "datagen", StringComparison.Ordinal);

    [Fact]
    public void File_DdlGenAndViewsAndAWindowQuery_RunsAgainstTheGenerator()
    {
        var path = Path.Combine(_directory, "nexmark.sql");
        File.WriteAllText(path, Substituted("ddl_gen.sql") + "\n" + Substituted("ddl_views.sql") + """

            CREATE TABLE per_kind (event_type INT, events BIGINT) WITH ('connector' = 'print');
            CREATE TABLE bids (bids BIGINT) WITH ('connector' = 'print');
            INSERT INTO per_kind
            SELECT event_type, COUNT(*) FROM TABLE(TUMBLE(TABLE datagen, DESCRIPTOR(`dateTime`), INTERVAL '1' DAY))
            GROUP BY window_start, window_end, event_type;
            INSERT INTO bids
            SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '1' DAY))
            GROUP BY window_start, window_end;
            """);

        var result = CliProcess.Run(null, "sql", "-f", path);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldContain("[INFO] Table 'datagen' was created.");
        result.Stdout.ShouldContain("[INFO] View 'bid' was created.");
        var rows = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(static l => l.Contains("+I[", StringComparison.Ordinal)).Select(static l => l[l.IndexOf("+I[", StringComparison.Ordinal)..]).Order(StringComparer.Ordinal).ToList();
        // 1000 events (one out-of-order group, so the shuffle keeps the mix) in one day at 10 000 events/s; in each 50
        // event ids: 1 person, 3 auctions, 46 bids.
        rows.ShouldBe(["+I[0, 20]", "+I[1, 60]", "+I[2, 920]", "+I[920]"]);
    }
}
