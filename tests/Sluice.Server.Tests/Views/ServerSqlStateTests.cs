using System.Text;
using Sluice.Server.Views;

namespace Sluice.Server.Tests.Views;

public sealed class ServerSqlStateTests
{
    // Version 1 of sql-catalog.json, written by hand: a later build must keep reading it.
    private const string GoldenV1 = """
        {
          "version": 1,
          "tables": [
            {
              "name": "transfers",
              "ddl": "CREATE TABLE transfers (src STRING) WITH (\u0027connector\u0027 = \u0027datagen\u0027)"
            }
          ],
          "views": [
            {
              "name": "balances",
              "query": "SELECT src, COUNT(*) AS n FROM transfers GROUP BY src",
              "key": [
                "src"
              ],
              "jobId": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
              "checkpointIntervalMs": 1000,
              "createdAt": "2026-12-06T01:02:03+00:00"
            }
          ]
        }
        """;

    private static ServerSqlState Golden => new()
    {
        Tables = [new ServerSqlTable("transfers", "CREATE TABLE transfers (src STRING) WITH ('connector' = 'datagen')")],
        Views = [new MaterializedViewDefinition("balances", "SELECT src, COUNT(*) AS n FROM transfers GROUP BY src", ["src"], "0f1e2d3c4b5a69788796a5b4c3d2e1f0", 1000,
            new DateTimeOffset(2026, 12, 6, 1, 2, 3, TimeSpan.Zero))],
    };

    [Fact]
    public void FromJson_GoldenVersion1_ReadsEveryField()
    {
        var read = ServerSqlState.FromJson(Encoding.UTF8.GetBytes(GoldenV1), "golden");

        read.Version.ShouldBe(1);
        read.Tables.ShouldBe(Golden.Tables);
        read.Views.Count.ShouldBe(1);
        var view = read.Views[0];
        view.Name.ShouldBe("balances");
        view.Query.ShouldBe("SELECT src, COUNT(*) AS n FROM transfers GROUP BY src");
        view.Key.ShouldBe(["src"]);
        view.JobId.ShouldBe("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        view.CheckpointIntervalMs.ShouldBe(1000);
        view.CreatedAt.ShouldBe(new DateTimeOffset(2026, 12, 6, 1, 2, 3, TimeSpan.Zero));
    }

    [Fact]
    public void ToJson_State_WritesTheGoldenBytes()
    {
        Encoding.UTF8.GetString(Golden.ToJson()).ReplaceLineEndings("\n").ShouldBe(GoldenV1.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("""{"version":2}""", "has version 2")]
    [InlineData("null", "is null")]
    [InlineData("{", "is not valid JSON")]
    public void FromJson_NotAVersion1State_FailsNamingTheFile(string json, string reason)
    {
        var error = Should.Throw<InvalidDataException>(() => ServerSqlState.FromJson(Encoding.UTF8.GetBytes(json), "/data/sql-catalog.json"));

        error.Message.ShouldContain("/data/sql-catalog.json");
        error.Message.ShouldContain(reason);
    }
}
