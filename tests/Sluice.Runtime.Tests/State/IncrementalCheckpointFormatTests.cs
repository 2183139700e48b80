using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.Tests.State;

/// <summary>
/// Pins the formats incremental checkpoints added: the RocksDB checkpoint handle (version 1) byte for byte, and the
/// checkpoint manifest (version 2, with the shared files of each blob) as JSON text; version-1 manifests are still
/// read. The expected bytes and text were written by hand from the format descriptions in
/// <c>RocksDbCheckpointHandle</c> and <c>CheckpointManifest</c>, not produced by the code under test. If one fails, a
/// format changed: bump its version and keep reading this one.
/// </summary>
public class IncrementalCheckpointFormatTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    [Fact]
    public void RocksDbCheckpointHandle_Version1_IsPinned()
    {
        var handle = new RocksDbCheckpointHandle(7, new KeyGroupRange(0, 127),
            [new RocksDbSharedFile("000009.sst", new SharedFileRef("op-ab-000009.sst", 1000, 0x11223344))],
            [new RocksDbPrivateFile("CURRENT", [0x4D, 0x0A])],
            ["sum"]);

        const string expected =
            "01  07 00 00 00 00 00 00 00  00 7F" + // version, checkpoint id (int64), key groups 0–127
            " 01  0A 30 30 30 30 30 39 2E 73 73 74" + // one shared file: local name "000009.sst"
            "  10 6F 70 2D 61 62 2D 30 30 30 30 30 39 2E 73 73 74  E8 07  44 33 22 11" + // shared name, 1000 bytes, CRC-32C
            " 01  07 43 55 52 52 45 4E 54  02 4D 0A" + // one private file "CURRENT" with its 2 bytes
            " 01  03 73 75 6D"; // one column family: state "sum"
        Convert.ToHexString(handle.Encode()).ShouldBe(expected.Replace(" ", "", StringComparison.Ordinal));

        var back = RocksDbCheckpointHandle.Decode(Hex(expected), "golden");
        back.CheckpointId.ShouldBe(7);
        back.KeyGroups.ShouldBe(new KeyGroupRange(0, 127));
        back.SharedFiles.ShouldBe([new RocksDbSharedFile("000009.sst", new SharedFileRef("op-ab-000009.sst", 1000, 0x11223344))]);
        back.PrivateFiles.Single().Name.ShouldBe("CURRENT");
        back.PrivateFiles.Single().Content.ShouldBe(new byte[] { 0x4D, 0x0A });
        back.ColumnFamilies.ShouldBe(["sum"]);
    }

    [Theory]
    [InlineData("02  07 00 00 00 00 00 00 00  00 7F  00 00 00", "format version 2")]
    [InlineData("01  07 00 00 00 00 00 00 00  00 7F  01  05 2E 2E 2F 78 79", "not a plain file name")]
    [InlineData("01  07 00 00 00 00 00 00 00  00 7F  00 00 00  99", "corrupt")]
    public void RocksDbCheckpointHandle_UnknownVersionOrCorrupt_FailsNamingTheSource(string hex, string reason)
    {
        var error = Should.Throw<StateFormatException>(() => RocksDbCheckpointHandle.Decode(Hex(hex), "checkpoint #7 of 'op'"));
        error.Message.ShouldContain("checkpoint #7 of 'op'");
        error.Message.ShouldContain(reason);
    }

    private const string ManifestV2 = """
        {
          "formatVersion": 2,
          "checkpointId": 3,
          "job": "j",
          "createdMs": 1700000000000,
          "keyGroupCount": 128,
          "final": false,
          "blobs": [
            {
              "uid": "sum",
              "subtask": 0,
              "parallelism": 1,
              "name": "0000-sum-0.state",
              "bytes": 120,
              "sharedFiles": [
                {
                  "name": "sum-ab-000009.sst",
                  "bytes": 1000,
                  "crc32C": 287454020
                }
              ]
            },
            {
              "uid": "sink",
              "subtask": 0,
              "parallelism": 1,
              "name": "0001-sink-0.state",
              "bytes": 40
            }
          ]
        }
        """;

    [Fact]
    public void Manifest_Version2_IsPinned_WithTheSharedFilesOfEachBlob()
    {
        var manifest = new CheckpointManifest
        {
            CheckpointId = 3,
            Job = "j",
            CreatedMs = 1_700_000_000_000,
            KeyGroupCount = 128,
            Blobs =
            [
                new ManifestBlob("sum", 0, 1, "0000-sum-0.state", 120, [new SharedFileRef("sum-ab-000009.sst", 1000, 0x11223344)]),
                new ManifestBlob("sink", 0, 1, "0001-sink-0.state", 40),
            ],
        };
        System.Text.Encoding.UTF8.GetString(manifest.Encode()).ReplaceLineEndings("\n").ShouldBe(ManifestV2.ReplaceLineEndings("\n"));

        var back = CheckpointManifest.Decode(System.Text.Encoding.UTF8.GetBytes(ManifestV2), "golden");
        back.FormatVersion.ShouldBe(2);
        back.Blobs[0].SharedFiles.ShouldBe([new SharedFileRef("sum-ab-000009.sst", 1000, 0x11223344)]);
        back.Blobs[1].SharedFiles.ShouldBeNull();
        back.SharedFileNames.ShouldBe(["sum-ab-000009.sst"]);
    }

    [Fact]
    public void Manifest_Version1_IsStillRead_WithNoSharedFiles()
    {
        const string v1 = """
            {"formatVersion":1,"checkpointId":1,"job":"golden","createdMs":1700000000000,"keyGroupCount":128,"final":false,
             "blobs":[{"uid":"sum","subtask":0,"parallelism":1,"name":"0000-sum-0.state","bytes":77}]}
            """;
        var manifest = CheckpointManifest.Decode(System.Text.Encoding.UTF8.GetBytes(v1), "golden-v1");
        manifest.FormatVersion.ShouldBe(1);
        manifest.Blobs.Single().Name.ShouldBe("0000-sum-0.state");
        manifest.SharedFileNames.ShouldBeEmpty();

        var future = v1.Replace("\"formatVersion\":1", "\"formatVersion\":3", StringComparison.Ordinal);
        Should.Throw<StateFormatException>(() => CheckpointManifest.Decode(System.Text.Encoding.UTF8.GetBytes(future), "from-the-future"))
            .Message.ShouldContain("reads versions 1 to 2");
    }
}
