namespace Sluice.Connectors.Delta.Tests;

/// <summary>A damaged log is one clear error naming the file or version; a damaged hint is not fatal.</summary>
public sealed class LogDamageTests
{
    [Fact]
    public void Open_TruncatedCommit_NamesTheFileAndLine()
    {
        using var temp = new TempDirectory();
        var path = TestTables.CopyTo("delta-rs-simple", temp);
        var commit = Path.Combine(path, "_delta_log", "00000000000000000003.json");
        var bytes = File.ReadAllBytes(commit);
        File.WriteAllBytes(commit, bytes[..(bytes.Length - 40)]);

        var error = Should.Throw<DeltaException>(() => DeltaTable.Open(path));

        error.FileName.ShouldBe("00000000000000000003.json");
        error.Version.ShouldBe(3);
        error.Message.ShouldContain("corrupt or truncated");
        error.Message.ShouldContain("line 5");
    }

    [Fact]
    public void Open_EmptyCommit_NamesTheFile()
    {
        using var temp = new TempDirectory();
        var path = TestTables.CopyTo("delta-rs-simple", temp);
        File.WriteAllBytes(Path.Combine(path, "_delta_log", "00000000000000000004.json"), []);

        var error = Should.Throw<DeltaException>(() => DeltaTable.Open(path));

        error.FileName.ShouldBe("00000000000000000004.json");
        error.Message.ShouldContain("empty");
    }

    [Fact]
    public void Open_ActionMissingARequiredField_NamesTheField()
    {
        using var temp = new TempDirectory();
        var path = TestTables.CopyTo("delta-rs-null-partition", temp);
        var commit = Path.Combine(path, "_delta_log", "00000000000000000000.json");
        File.WriteAllText(commit, File.ReadAllText(commit).Replace("\"size\":460,", "", StringComparison.Ordinal));

        var error = Should.Throw<DeltaException>(() => DeltaTable.Open(path));

        error.Message.ShouldContain("'size'");
        error.FileName.ShouldBe("00000000000000000000.json");
    }

    [Fact]
    public void Open_VersionGap_NamesTheMissingVersion()
    {
        using var temp = new TempDirectory();
        var path = TestTables.CopyTo("delta-rs-simple", temp);
        File.Delete(Path.Combine(path, "_delta_log", "00000000000000000002.json"));

        var error = Should.Throw<DeltaException>(() => DeltaTable.Open(path));

        error.Version.ShouldBe(2);
        error.Message.ShouldContain("gap");
        error.Message.ShouldContain("00000000000000000002.json");
    }

    [Fact]
    public void GetSnapshot_BeforeTheGap_StillReads()
    {
        using var temp = new TempDirectory();
        var path = TestTables.CopyTo("delta-rs-simple", temp);
        File.Delete(Path.Combine(path, "_delta_log", "00000000000000000002.json"));

        var snapshot = new DeltaTableReadOnly(path).Snapshot(1);

        snapshot.Version.ShouldBe(1);
        snapshot.FileCount.ShouldBe(22); // 6 files at version 0; 5 removed and 21 added at version 1
    }

    [Fact]
    public void Open_DamagedLastCheckpoint_FallsBackToTheListing()
    {
        using var temp = new TempDirectory();
        var path = TestTables.CopyTo("delta-rs-checkpoint", temp);
        File.WriteAllText(Path.Combine(path, "_delta_log", "_last_checkpoint"), "{\"version\":");

        var table = DeltaTable.Open(path);

        TestTables.Column(table.ReadRows(), "version").Count.ShouldBe(11);
    }

    [Fact]
    public void Open_NotATable_SaysSo()
    {
        using var temp = new TempDirectory();

        var error = Should.Throw<DeltaException>(() => DeltaTable.Open(temp.Path));

        error.Message.ShouldContain("is not a Delta table");
    }

    [Fact]
    public void GetSnapshot_VersionBeyondTheLatest_NamesBoth()
    {
        var table = DeltaTable.Open(TestTables.PathOf("delta-rs-simple"));

        var error = Should.Throw<DeltaException>(() => table.GetSnapshot(9));

        error.Message.ShouldContain("no version 9");
        error.Message.ShouldContain("end at 4");
    }

    /// <summary>Reads a snapshot without DeltaTable.Open's check of the latest version.</summary>
    private sealed class DeltaTableReadOnly(string path)
    {
        public DeltaSnapshot Snapshot(long version) => new Log.DeltaLogReader(new Log.DeltaLogFiles(path)).Load(version);
    }
}
