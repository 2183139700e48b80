using Sluice.Log.Tests.Support;

namespace Sluice.Log.Tests;

public sealed class DataDirectoryLockTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Open_DirectoryAlreadyOpen_ThrowsNamingHolderPid()
    {
        using var first = PartitionedLog.Open(_dir.Path, TestData.Options());
        var e = Should.Throw<DataDirectoryLockedException>(() => PartitionedLog.Open(_dir.Path, TestData.Options()));
        e.Message.ShouldContain($"pid {Environment.ProcessId}");
        e.Message.ShouldContain(_dir.Path);
    }

    [Fact]
    public void Open_AfterPreviousOwnerDisposed_Succeeds()
    {
        PartitionedLog.Open(_dir.Path, TestData.Options()).Dispose();
        using var second = PartitionedLog.Open(_dir.Path, TestData.Options());
        second.DataDirectory.ShouldBe(Path.GetFullPath(_dir.Path));
    }
}
