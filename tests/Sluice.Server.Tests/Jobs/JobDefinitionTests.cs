using System.Text;
using Sluice.Server.Jobs;

namespace Sluice.Server.Tests.Jobs;

public sealed class JobDefinitionTests
{
    // Version 1 of jobs/<id>.json, written by hand: a later build must keep reading it.
    private const string GoldenV1 = """
        {
          "version": 1,
          "id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
          "name": "copy",
          "sql": "INSERT INTO b SELECT * FROM a;",
          "args": {},
          "parallelism": 2,
          "checkpointIntervalMs": 5000,
          "savepoint": "/data/checkpoints/savepoints/0f1e2d3c4b5a69788796a5b4c3d2e1f0-7",
          "submittedAt": "2026-12-06T01:02:03+00:00"
        }
        """;

    private static JobDefinition Golden => new()
    {
        Id = "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        Name = "copy",
        Sql = "INSERT INTO b SELECT * FROM a;",
        Parallelism = 2,
        CheckpointIntervalMs = 5000,
        Savepoint = "/data/checkpoints/savepoints/0f1e2d3c4b5a69788796a5b4c3d2e1f0-7",
        SubmittedAt = new DateTimeOffset(2026, 12, 6, 1, 2, 3, TimeSpan.Zero),
    };

    [Fact]
    public void FromJson_GoldenVersion1_ReadsEveryField()
    {
        var read = JobDefinition.FromJson(Encoding.UTF8.GetBytes(GoldenV1), "golden");

        read.Version.ShouldBe(1);
        read.Id.ShouldBe("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        read.Name.ShouldBe("copy");
        read.Sql.ShouldBe("INSERT INTO b SELECT * FROM a;");
        read.Job.ShouldBeNull();
        read.Args.ShouldBeEmpty();
        read.Parallelism.ShouldBe(2);
        read.CheckpointIntervalMs.ShouldBe(5000);
        read.Savepoint.ShouldBe("/data/checkpoints/savepoints/0f1e2d3c4b5a69788796a5b4c3d2e1f0-7");
        read.SubmittedAt.ShouldBe(new DateTimeOffset(2026, 12, 6, 1, 2, 3, TimeSpan.Zero));
    }

    [Fact]
    public void ToJson_Definition_WritesTheGoldenBytes()
    {
        Encoding.UTF8.GetString(Golden.ToJson()).ReplaceLineEndings("\n").ShouldBe(GoldenV1.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void FromJson_RegisteredJob_ReadsNameAndArgs()
    {
        const string json = """{"version":1,"id":"a","name":"counter","job":"counter","args":{"rate":"50"},"parallelism":1,"checkpointIntervalMs":10000,"submittedAt":"2026-12-06T00:00:00+00:00"}""";

        var read = JobDefinition.FromJson(Encoding.UTF8.GetBytes(json), "registered");

        read.Job.ShouldBe("counter");
        read.Sql.ShouldBeNull();
        read.Args["rate"].ShouldBe("50");
        read.Savepoint.ShouldBeNull();
    }

    [Fact]
    public void FromJson_NewerVersion_ThrowsNamingTheSource()
    {
        var error = Should.Throw<InvalidDataException>(() => JobDefinition.FromJson(Encoding.UTF8.GetBytes("""{"version":2,"id":"a","name":"n","sql":"x"}"""), "jobs/a.json"));

        error.Message.ShouldBe("The job definition 'jobs/a.json' has version 2; this server reads versions 1 to 1: run a newer Sluice.");
    }

    [Fact]
    public void FromJson_NotJson_ThrowsNamingTheSource()
    {
        var error = Should.Throw<InvalidDataException>(() => JobDefinition.FromJson("{"u8, "jobs/b.json"));

        error.Message.ShouldStartWith("The job definition 'jobs/b.json' is not valid JSON: ");
    }

    [Fact]
    public void FromJson_BothSqlAndJob_Throws()
    {
        var error = Should.Throw<InvalidDataException>(() => JobDefinition.FromJson("""{"version":1,"id":"a","name":"n","sql":"x","job":"y"}"""u8, "c"));

        error.Message.ShouldBe("The job definition 'c' must have exactly one of 'sql' and 'job'.");
    }
}
