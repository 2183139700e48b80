using Sluice.Connectors.DuckDb.Sinks;

namespace Sluice.Connectors.DuckDb.Tests.Sinks;

/// <summary>The committable format of the DuckDB and lake sinks, pinned byte for byte (it is stored in checkpoints).</summary>
public sealed class StagedBatchTests
{
    // [1]["abc"][subtask 1][sequence 5][1 file]{["batch.staged"][""][3 rows]}
    private const string Version1 = "0103616263010000000500000000000000010000000C62617463682E737461676564000300000000000000";

    // Version 2: the same, then the dead-letter file ["dlq.staged"]["part.parquet"][2 rows].
    private const string Version2 = "0203616263010000000500000000000000010000000C62617463682E7374616765640003000000000000000A646C712E7374616765640C706172742E706172717565740200000000000000";

    [Fact]
    public void Encode_WithoutDeadLetters_IsVersion1AsBefore() =>
        Convert.ToHexString(new StagedBatch("abc", 1, 5, [new StagedFile("batch.staged", "", 3)]).Encode()).ShouldBe(Version1);

    [Fact]
    public void Encode_WithDeadLetters_IsVersion2() =>
        Convert.ToHexString(new StagedBatch("abc", 1, 5, [new StagedFile("batch.staged", "", 3)], new StagedFile("dlq.staged", "part.parquet", 2)).Encode()).ShouldBe(Version2);

    [Fact]
    public void Decode_BothVersions_ReadTheirFields()
    {
        var v1 = StagedBatch.Decode(Convert.FromHexString(Version1), "test");
        var v2 = StagedBatch.Decode(Convert.FromHexString(Version2), "test");

        (v1.Writer, v1.Subtask, v1.Sequence, v1.Files.Single(), v1.DeadLetters).ShouldBe(("abc", 1, 5L, new StagedFile("batch.staged", "", 3), (StagedFile?)null));
        v2.Files.Single().ShouldBe(new StagedFile("batch.staged", "", 3));
        v2.DeadLetters.ShouldBe(new StagedFile("dlq.staged", "part.parquet", 2));
    }

    [Fact]
    public void Decode_UnknownVersion_Throws() =>
        Should.Throw<InvalidDataException>(() => StagedBatch.Decode([3], "test")).Message.ShouldBe("Unknown test committable version 3.");
}
