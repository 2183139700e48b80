using System.Reflection;
using System.Runtime.InteropServices;

namespace Sluice.Connectors.DuckDb.Interop;

/// <summary>
/// Finds <c>libduckdb.so</c> for the <c>"duckdb"</c> P/Invoke library name. Order: the default probing (the
/// application directory, where the build copies it), then <c>$SLUICE_NATIVE_DIR/libduckdb.so</c>, then a
/// <c>.native/libduckdb.so</c> in <see cref="AppContext.BaseDirectory"/> or any directory above it (a repo checkout).
/// When none exists, loading fails with a <see cref="DllNotFoundException"/> that says to run
/// <c>./scripts/native.sh</c>.
/// </summary>
internal static class DuckDbNativeLibrary
{
    /// <summary>Environment variable naming a directory that holds <c>libduckdb.so</c>.</summary>
    public const string NativeDirVariable = "SLUICE_NATIVE_DIR";

    /// <summary>File name of the native library on Linux.</summary>
    public const string FileName = "libduckdb.so";

    private static readonly Lock s_gate = new();
    private static bool s_registered;

    /// <summary>Installs the resolver for this assembly once; later calls do nothing. Thread-safe.</summary>
    public static void EnsureResolverRegistered()
    {
        lock (s_gate)
        {
            if (s_registered)
            {
                return;
            }

            NativeLibrary.SetDllImportResolver(typeof(DuckDbNativeLibrary).Assembly, Resolve);
            s_registered = true;
        }
    }

    /// <summary>
    /// Returns the path of <c>libduckdb.so</c> outside the default probing paths: in <paramref name="nativeDir"/>
    /// if given, else in the nearest <c>.native/</c> at or above <paramref name="baseDirectory"/>; null if none.
    /// </summary>
    public static string? Locate(string? nativeDir, string baseDirectory)
    {
        if (!string.IsNullOrEmpty(nativeDir))
        {
            var candidate = Path.Combine(nativeDir, FileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        for (var dir = new DirectoryInfo(baseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".native", FileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != "duckdb")
        {
            return IntPtr.Zero;
        }

        if (NativeLibrary.TryLoad(libraryName, assembly, searchPath, out var loaded))
        {
            return loaded;
        }

        var nativeDir = Environment.GetEnvironmentVariable(NativeDirVariable);
        var path = Locate(nativeDir, AppContext.BaseDirectory);
        if (path is null)
        {
            throw new DllNotFoundException(
                $"{FileName} (DuckDB 1.5.6) was not found next to the application ({AppContext.BaseDirectory}), in " +
                $"${NativeDirVariable} ('{nativeDir}') or in a .native/ directory above the application. " +
                "Run ./scripts/native.sh at the repository root (it fetches the library into .native/), then rebuild.");
        }

        return NativeLibrary.Load(path);
    }
}
