using System.Reflection;
using System.Runtime.InteropServices;

namespace Sluice.Connectors.Kafka.Interop;

/// <summary>
/// Makes librdkafka loadable for Confluent.Kafka and for this assembly's own calls into it (the mock cluster).
/// Confluent.Kafka's <c>DllImport("librdkafka")</c> finds <c>librdkafka.so</c> next to the application (the project
/// copies it there); when it is not there, this resolver searches <c>SLUICE_NATIVE_DIR</c> and the <c>.native/</c>
/// folders of the application's directory and its parents, where <c>./scripts/native.sh</c> puts it.
/// </summary>
internal static class KafkaNativeLibrary
{
    internal const string Name = "librdkafka";
    private static readonly Lock s_lock = new();
    private static bool s_installed;
    private static IntPtr s_handle;

    /// <summary>Installs the resolver once per process; cheap after the first call. Thread-safe.</summary>
    public static void EnsureResolver()
    {
        if (Volatile.Read(ref s_installed))
        {
            return;
        }
        lock (s_lock)
        {
            if (s_installed)
            {
                return;
            }
            NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, Resolve);
            NativeLibrary.SetDllImportResolver(typeof(KafkaNativeLibrary).Assembly, Resolve);
            Volatile.Write(ref s_installed, true);
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != Name)
        {
            return IntPtr.Zero;
        }
        if (s_handle != IntPtr.Zero)
        {
            return s_handle;
        }
        if (NativeLibrary.TryLoad(libraryName, assembly, searchPath, out var handle))
        {
            return s_handle = handle;
        }
        foreach (var candidate in Candidates())
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out handle))
            {
                return s_handle = handle;
            }
        }
        throw new DllNotFoundException(
            "librdkafka.so was not found next to the application, in SLUICE_NATIVE_DIR or in a .native/ folder above it; run ./scripts/native.sh to build it.");
    }

    private static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("SLUICE_NATIVE_DIR") is { Length: > 0 } dir)
        {
            yield return Path.Combine(dir, "librdkafka.so");
        }
        for (var current = new DirectoryInfo(AppContext.BaseDirectory); current is not null; current = current.Parent)
        {
            yield return Path.Combine(current.FullName, ".native", "librdkafka.so");
        }
    }
}
