using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration.Tests;

public sealed class RunStoreTests
{
    private static readonly DateTimeOffset s_day = new(2024, 1, 2, 0, 0, 0, TimeSpan.Zero);

    private static DagRun Run(DagRunKind kind) => new()
    {
        DagId = "d",
        RunId = DagRun.MakeRunId(kind, s_day),
        Interval = new DataInterval(s_day, s_day.AddDays(1)),
        Kind = kind,
        State = DagRunState.Queued,
        QueuedAt = s_day.AddDays(1),
    };

    [Fact]
    public async Task TryCreateRun_ConcurrentCreatorsOfOneLogicalDate_ExactlyOneWins()
    {
        using var dir = new TestDirectory();
        for (var round = 0; round < 20; round++)
        {
            var store = new RunStore(Path.Combine(dir.Path, round.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            using var start = new Barrier(8);
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            {
                start.SignalAndWait();
                return new RunStore(store.Directory).TryCreateRun(Run(i % 2 == 0 ? DagRunKind.Manual : DagRunKind.Backfill), out _);
            })));

            results.Count(r => r).ShouldBe(1);
            store.ListRuns("d").Count.ShouldBe(1);
        }
    }

    [Fact]
    public void TryCreateRun_Existing_ReturnsIt()
    {
        using var dir = new TestDirectory();
        var store = new RunStore(dir.Path);
        store.TryCreateRun(Run(DagRunKind.Scheduled), out _).ShouldBeTrue();

        store.TryCreateRun(Run(DagRunKind.Manual), out var existing).ShouldBeFalse();

        existing.RunId.ShouldBe("scheduled__2024-01-02T00:00:00+00:00");
    }

    [Fact]
    public void Format1_GoldenFiles_ReadAndWriteByteForByte()
    {
        using var dir = new TestDirectory();
        var store = new RunStore(dir.Path);
        var run = Run(DagRunKind.Scheduled) with { State = DagRunState.Success, StartedAt = s_day.AddDays(1).AddSeconds(1), EndedAt = s_day.AddDays(1).AddSeconds(9) };
        var task = new TaskInstance
        {
            DagId = "d",
            RunId = run.RunId,
            TaskId = "load",
            State = TaskState.Success,
            Failures = 1,
            Attempts =
            [
                new TaskAttempt(1, AttemptState.Failed, s_day.AddDays(1).AddSeconds(1), s_day.AddDays(1).AddSeconds(2), 3, "the command exited with code 3", "dags/d/runs/20240102T000000.000Z/logs/load/1.log"),
                new TaskAttempt(2, AttemptState.Success, s_day.AddDays(1).AddSeconds(8), s_day.AddDays(1).AddSeconds(9), 0, null, "dags/d/runs/20240102T000000.000Z/logs/load/2.log"),
            ],
        };
        store.TryCreateRun(run, out _).ShouldBeTrue();
        store.SaveTask(run.LogicalDate, task);
        var runDir = Path.Combine(dir.Path, "dags", "d", "runs", "20240102T000000.000Z");

        File.ReadAllText(Path.Combine(runDir, "run.json")).ShouldBe(File.ReadAllText("Data/golden/run-v1.json").ReplaceLineEndings("\n").TrimEnd('\n'));
        File.ReadAllText(Path.Combine(runDir, "tasks", "load.json")).ShouldBe(File.ReadAllText("Data/golden/task-v1.json").ReplaceLineEndings("\n").TrimEnd('\n'));

        var golden = new RunStore(Path.Combine(dir.Path, "golden"));
        var goldenRun = Path.Combine(golden.Directory, "dags", "d", "runs", "20240102T000000.000Z");
        Directory.CreateDirectory(Path.Combine(goldenRun, "tasks"));
        File.Copy("Data/golden/run-v1.json", Path.Combine(goldenRun, "run.json"));
        File.Copy("Data/golden/task-v1.json", Path.Combine(goldenRun, "tasks", "load.json"));
        golden.ListRuns("d").Single().ShouldBe(run);
        var read = golden.ListTasks("d", s_day).Single();
        (read with { Attempts = [] }).ShouldBe(task with { Attempts = [] });
        read.Attempts.ShouldBe(task.Attempts);
    }

    [Fact]
    public void ListRuns_NewerFormat_RefusedNamingTheFile()
    {
        using var dir = new TestDirectory();
        var runDir = Path.Combine(dir.Path, "dags", "d", "runs", "20240102T000000.000Z");
        Directory.CreateDirectory(runDir);
        File.WriteAllText(Path.Combine(runDir, "run.json"), File.ReadAllText("Data/golden/run-v1.json").Replace("\"format\": 1", "\"format\": 2", StringComparison.Ordinal));

        var error = Should.Throw<InvalidDataException>(() => new RunStore(dir.Path).ListRuns("d"));

        error.Message.ShouldContain("run.json has format 2; this Sluice reads format 1 to 1.");
    }

    [Fact]
    public void ListRuns_NewerFormatWithUnknownValues_SaysWhichFormat()
    {
        using var dir = new TestDirectory();
        var runDir = Path.Combine(dir.Path, "dags", "d", "runs", "20240102T000000.000Z");
        Directory.CreateDirectory(runDir);
        // A format-2 file may use values this version cannot deserialize (a new run state).
        File.WriteAllText(Path.Combine(runDir, "run.json"), """{"format": 2, "run": {"state": "paused", "interval": 7}}""");

        var error = Should.Throw<InvalidDataException>(() => new RunStore(dir.Path).ListRuns("d"));

        error.Message.ShouldContain("run.json has format 2; this Sluice reads format 1 to 1.");
    }

    [Fact]
    public void SaveTask_NameTakenByAFolder_ThrowsAndLeavesNoTempFile()
    {
        using var dir = new TestDirectory();
        var store = new RunStore(dir.Path);
        store.TryCreateRun(Run(DagRunKind.Manual), out _).ShouldBeTrue();
        var tasks = Path.Combine(dir.Path, "dags", "d", "runs", "20240102T000000.000Z", "tasks");
        Directory.CreateDirectory(Path.Combine(tasks, "t.json"));
        var task = new TaskInstance { DagId = "d", RunId = Run(DagRunKind.Manual).RunId, TaskId = "t", State = TaskState.Pending };

        Should.Throw<IOException>(() => store.SaveTask(s_day, task));

        Directory.EnumerateFiles(tasks, "*.tmp").ShouldBeEmpty();
    }
}
