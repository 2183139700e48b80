using Sluice.IO;

namespace Sluice.Core.Tests.IO;

public sealed class DirectoryLockTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sluice-dirlock-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Acquire_WhileHeld_PassesTheHoldersDescriptionAndTheIoError_UntilReleased()
    {
        var first = DirectoryLock.Acquire(_dir, (_, e) => e);
        string? holder = null;

        var error = Should.Throw<InvalidOperationException>(() => DirectoryLock.Acquire(_dir, (h, e) =>
        {
            holder = h;
            return new InvalidOperationException("held", e);
        }));

        error.InnerException.ShouldBeAssignableTo<IOException>();
        holder.ShouldStartWith($"pid {Environment.ProcessId} on host {Environment.MachineName} since ");
        File.ReadAllText(Path.Combine(_dir, ".lock.owner")).ShouldBe(holder + "\n");
        first.Dispose();
        using var second = DirectoryLock.Acquire(_dir, (_, e) => e);
    }

    [Fact]
    public void Acquire_HeldWithoutOwnerFile_NamesAnUnknownProcess()
    {
        using var held = new FileStream(Path.Combine(_dir, ".lock"), FileMode.Create, FileAccess.ReadWrite, FileShare.None);

        var error = Should.Throw<InvalidOperationException>(() => DirectoryLock.Acquire(_dir, (h, e) => new InvalidOperationException(h, e)));

        error.Message.ShouldBe("an unknown process");
    }

    [Fact]
    public void IsHeld_TheErrorOfASecondOpen_IsHeld_AReadOnlyOrFullDiskIsNot()
    {
        using var held = new FileStream(Path.Combine(_dir, ".lock"), FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        var conflict = Should.Throw<IOException>(() => new FileStream(Path.Combine(_dir, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));

        DirectoryLock.IsHeld(conflict).ShouldBeTrue();
        // EROFS and ENOSPC as .NET reports them on Linux (the errno as HResult); Windows' ERROR_WRITE_PROTECT and ERROR_DISK_FULL.
        var readOnly = new IOException("Read-only file system", OperatingSystem.IsWindows() ? unchecked((int)0x80070013) : 30);
        var full = new IOException("No space left on device", OperatingSystem.IsWindows() ? unchecked((int)0x80070070) : 28);
        DirectoryLock.IsHeld(readOnly).ShouldBeFalse();
        DirectoryLock.IsHeld(full).ShouldBeFalse();
    }

    [Fact]
    public void Acquire_MissingDirectory_ThrowsTheIoErrorItself()
    {
        var missing = Path.Combine(_dir, "missing");

        Should.Throw<DirectoryNotFoundException>(() => DirectoryLock.Acquire(missing, (_, e) => new InvalidOperationException("not held", e)));
    }
}
