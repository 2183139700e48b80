using NpgsqlTypes;
using Sluice.Connectors.Postgres.Cdc;
using Sluice.State.Serialization;

namespace Sluice.Connectors.Postgres.Tests;

/// <summary>The CDC split position's format, version 1, pinned byte for byte: checkpoints written by this version must stay readable.</summary>
public sealed class PostgresCdcPositionTests
{
    // version 1, phase Stream, LSN 0/16B3748 little-endian, no key.
    private const string StreamingV1 = "0101" + "48376B0100000000" + "00";

    // version 1, phase Snapshot, LSN 1/20 little-endian, 2 key values: "42" and "é" (UTF-8 C3 A9), each length-prefixed.
    private const string SnapshotV1 = "0100" + "2000000001000000" + "02" + "023432" + "02C3A9";

    [Fact]
    public void Encode_Streaming_IsTheGoldenVersion1Bytes() =>
        Convert.ToHexString(PostgresCdcPosition.Streaming(NpgsqlLogSequenceNumber.Parse("0/16B3748")).Encode()).ShouldBe(StreamingV1);

    [Fact]
    public void Encode_Snapshot_IsTheGoldenVersion1Bytes() =>
        Convert.ToHexString(new PostgresCdcPosition(PostgresCdcPhase.Snapshot, NpgsqlLogSequenceNumber.Parse("1/20"), ["42", "é"]).Encode()).ShouldBe(SnapshotV1);

    [Fact]
    public void Decode_GoldenVersion1Bytes_RestoresThePositions()
    {
        var streaming = PostgresCdcPosition.Decode("s", Convert.FromHexString(StreamingV1));
        streaming.Phase.ShouldBe(PostgresCdcPhase.Stream);
        streaming.Lsn.ShouldBe(NpgsqlLogSequenceNumber.Parse("0/16B3748"));
        streaming.LastKey.ShouldBeEmpty();

        var snapshot = PostgresCdcPosition.Decode("s", Convert.FromHexString(SnapshotV1));
        snapshot.Phase.ShouldBe(PostgresCdcPhase.Snapshot);
        snapshot.Lsn.ShouldBe(NpgsqlLogSequenceNumber.Parse("1/20"));
        snapshot.LastKey.ShouldBe(["42", "é"]);
    }

    [Fact]
    public void Decode_UnknownVersion_FailsNamingTheSplitAndVersion()
    {
        var error = Should.Throw<StateFormatException>(() => PostgresCdcPosition.Decode("postgres-cdc:orders", Convert.FromHexString("0201" + "0000000000000000" + "00")));

        error.Message.ShouldContain("'postgres-cdc:orders'");
        error.Message.ShouldContain("version 2");
    }

    [Fact]
    public void Decode_Truncated_Fails() =>
        Should.Throw<StateFormatException>(() => PostgresCdcPosition.Decode("s", Convert.FromHexString("010100")));
}
