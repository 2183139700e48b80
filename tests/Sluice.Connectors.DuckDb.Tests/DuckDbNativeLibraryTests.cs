using Sluice.Connectors.DuckDb.Interop;

namespace Sluice.Connectors.DuckDb.Tests;

public sealed class DuckDbNativeLibraryTests
{
    [Fact]
    public void Build_ReferencingProject_GetsLibDuckDbInBin()
    {
        File.Exists(Path.Combine(AppContext.BaseDirectory, DuckDbNativeLibrary.FileName)).ShouldBeTrue();
    }

    [Fact]
    public void Locate_NativeDirSet_ReturnsFileThere()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File(DuckDbNativeLibrary.FileName), "");

        DuckDbNativeLibrary.Locate(dir.Path, "/").ShouldBe(dir.File(DuckDbNativeLibrary.FileName));
    }

    [Fact]
    public void Locate_DotNativeAboveBase_WalksUp()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File(".native"));
        File.WriteAllText(Path.Combine(dir.Path, ".native", DuckDbNativeLibrary.FileName), "");
        var deep = Directory.CreateDirectory(Path.Combine(dir.Path, "src", "bin", "Release")).FullName;

        DuckDbNativeLibrary.Locate(null, deep).ShouldBe(Path.Combine(dir.Path, ".native", DuckDbNativeLibrary.FileName));
    }

    [Fact]
    public void Locate_NothingAnywhere_ReturnsNull()
    {
        using var dir = new TempDirectory();

        DuckDbNativeLibrary.Locate(dir.File("empty"), dir.Path).ShouldBeNull();
    }
}
