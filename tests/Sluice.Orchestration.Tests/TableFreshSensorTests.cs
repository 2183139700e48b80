using DuckDB.NET.Data;
using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Execution;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration.Tests;

public sealed class TableFreshSensorTests
{
    [Fact]
    public async Task Poke_ThresholdGivenAsADay_IsMidnightOfTheDagsTimeZoneNotTheHosts()
    {
        using var dir = new TestDirectory();
        // A zone the host is not in, so the host's zone cannot give the same instant by accident.
        var zone = TimeZoneInfo.Local.GetUtcOffset(new DateTime(2024, 1, 1)) == TimeSpan.FromHours(14) ? "Pacific/Pago_Pago" : "Pacific/Kiritimati";
        var offset = TimeZoneInfo.FindSystemTimeZoneById(zone).GetUtcOffset(new DateTime(2024, 1, 1));
        var midnight = new DateTimeOffset(2024, 1, 1, 0, 0, 0, offset);
        var db = dir.File("w.duckdb");
        var target = new SqlConnectionTarget(db, null);
        var dag = new DagBuilder("fresh").Schedule(null, zone)
            .Task("wait", new TableFreshSensorAction(target, "events", "seen_at") { Threshold = "2024-01-01" }).Build();
        var run = new DagRun
        {
            DagId = "fresh",
            RunId = DagRun.MakeRunId(DagRunKind.Manual, midnight),
            Interval = new DataInterval(midnight, midnight),
            Kind = DagRunKind.Manual,
            State = DagRunState.Running,
            QueuedAt = midnight,
        };
        var executor = new TaskExecutor(new RunStore(dir.File("state")), new HttpClient(), new DagSchedulerOptions(), null);
        Execute($"create table events (seen_at timestamp); insert into events values ('{midnight.UtcDateTime.AddMinutes(-1):yyyy-MM-dd HH:mm:ss}')");

        var early = await executor.RunAsync(dag, dag.Tasks[0], run, 1, dir.File("1.log"), CancellationToken.None);

        early.Success.ShouldBeFalse();
        early.Error.ShouldBe($"max(seen_at) of events is {midnight.UtcDateTime.AddMinutes(-1):yyyy-MM-dd'T'HH:mm:ss}.0000000Z, not yet {midnight.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss}.0000000Z");

        Execute($"insert into events values ('{midnight.UtcDateTime:yyyy-MM-dd HH:mm:ss}')");
        (await executor.RunAsync(dag, dag.Tasks[0], run, 2, dir.File("2.log"), CancellationToken.None)).Success.ShouldBeTrue();

        void Execute(string sql)
        {
            using var connection = new DuckDBConnection($"Data Source={db}");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }
}
