using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sluice.Server.BrowserTests;

/// <summary>
/// A <see cref="BrowserServer"/> running one live job, submitted through <c>POST /api/jobs</c>: Nexmark bids at 200
/// events/s (rate-limited, so event time follows the wall clock) counted per auction in 1-second tumbling windows into a
/// blackhole, checkpointing every 300 ms. Started once per test class; the tests read its figures as they move.
/// </summary>
public sealed class LiveJobServer : IAsyncLifetime
{
    /// <summary>The job's name, as the pages show it.</summary>
    public const string JobName = "bids-per-auction";

    /// <summary>The browser and the server.</summary>
    public BrowserServer Browser { get; } = new();

    /// <summary>The live job's id.</summary>
    public string JobId { get; private set; } = "";

    /// <summary>The number of operators in the job's plan, as the API reports it.</summary>
    public int PlanNodes { get; private set; }

    /// <summary>The SQL script of the live job.</summary>
    public static string Script()
    {
        var ddl = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "nexmark", "ddl_gen.sql"))
            .Replace("CREATE TABLE datagen", "CREATE TABLE nexmark", StringComparison.Ordinal)
            .Replace("${TPS}", "200", StringComparison.Ordinal)
            .Replace("'${EVENTS_NUM}'", "'0', 'rate.limited' = 'true'", StringComparison.Ordinal)
            .Replace("${PERSON_PROPORTION}", "1", StringComparison.Ordinal)
            .Replace("${AUCTION_PROPORTION}", "3", StringComparison.Ordinal)
            .Replace("${BID_PROPORTION}", "46", StringComparison.Ordinal);
        return ddl + """

            CREATE VIEW bid AS SELECT bid.auction, bid.price, `dateTime` FROM nexmark WHERE event_type = 2;
            CREATE TABLE bids_per_auction (auction BIGINT, bids BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3))
              WITH ('connector' = 'blackhole');
            INSERT INTO bids_per_auction
            SELECT auction, COUNT(*) AS bids, window_start, window_end
            FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '1' SECOND))
            GROUP BY auction, window_start, window_end;
            """;
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await Browser.InitializeAsync();
        using var response = await Browser.Fixture.Authorized.PostAsJsonAsync("/api/jobs", new { sql = Script(), name = JobName, checkpointIntervalMs = 300 });
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, text);
        using var submitted = JsonDocument.Parse(text);
        JobId = submitted.RootElement.GetProperty("id").GetString()!;
        using var job = JsonDocument.Parse(await Browser.Fixture.Anonymous.GetStringAsync($"/api/jobs/{JobId}"));
        PlanNodes = job.RootElement.GetProperty("plan").GetProperty("nodes").GetArrayLength();
    }

    /// <inheritdoc />
    public Task DisposeAsync() => Browser.DisposeAsync();
}
