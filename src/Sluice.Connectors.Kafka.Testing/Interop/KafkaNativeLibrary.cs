using System.Reflection;
using System.Runtime.InteropServices;

namespace Sluice.Connectors.Kafka.Testing.Interop;

/// <summary>
/// Binds this assembly's own calls into librdkafka (<see cref="MockClusterNative"/>, the mock cluster's entry points
/// Confluent.Kafka does not wrap) to the library Confluent.Kafka itself loads from the librdkafka.redist package.
/// </summary>
/// <remarks>
/// The package ships three linux-x64 builds in <c>runtimes/linux-x64/native/</c>: <c>librdkafka.so</c> (links
/// <c>libsasl2.so.3</c>, the Red Hat name of Cyrus SASL, so it does not load on Debian or Ubuntu),
/// <c>centos8-librdkafka.so</c> (no dependency beyond glibc) and <c>alpine-librdkafka.so</c> (musl). Confluent.Kafka
/// takes the first that loads, in that order; a plain <c>LibraryImport("librdkafka")</c> would only try the first.
/// This resolver tries the same names in the same order, so both end up on one copy of the library (the loader
/// returns the handle of an already loaded file). The build copies all three next to the application.
/// </remarks>
internal static class KafkaNativeLibrary
{
    /// <summary>The library name of <see cref="MockClusterNative"/>'s imports.</summary>
    internal const string Name = "librdkafka";

    private static readonly string[] s_variants = ["librdkafka", "centos8-librdkafka", "alpine-librdkafka"];
    private static int s_installed;

    /// <summary>Installs the resolver on this assembly once per process; later calls do nothing. Thread-safe.</summary>
    public static void EnsureResolver()
    {
        if (Interlocked.Exchange(ref s_installed, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(KafkaNativeLibrary).Assembly, Resolve);
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != Name)
        {
            return IntPtr.Zero;
        }
        foreach (var variant in s_variants)
        {
            if (NativeLibrary.TryLoad(variant, assembly, searchPath, out var handle))
            {
                return handle;
            }
        }
        throw new DllNotFoundException(
            "No librdkafka build from the librdkafka.redist package loads on this machine; rebuild the application so runtimes/<rid>/native/ holds the package's libraries (linux-x64, linux-arm64, osx, win).");
    }
}
