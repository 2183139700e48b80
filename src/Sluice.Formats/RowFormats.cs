using System.Reflection;
using Sluice.Configuration;

namespace Sluice.Formats;

/// <summary>
/// The row formats a process knows, by Flink identifier: the built-in json, csv and raw, plus the formats other
/// assemblies declare with <see cref="RowFormatsAttribute"/> (found as soon as such an assembly is loaded) or
/// register with <see cref="Register"/>. Thread-safe.
/// </summary>
/// <remarks>
/// Connectors never reference a format's assembly: they ask this class by identifier, so
/// <c>'format' = 'avro-confluent'</c> works in any process that has loaded (or added) the registry formats' assembly.
/// </remarks>
public static class RowFormats
{
    private static readonly Lock s_lock = new();
    private static readonly HashSet<Assembly> s_assemblies = [];
    private static RowFormat[] s_all;

    static RowFormats()
    {
        Json = new();
        Csv = new();
        Raw = new();
        s_all = [Json, Csv, Raw];
        AppDomain.CurrentDomain.AssemblyLoad += static (_, e) => AddDeclaring(e.LoadedAssembly);
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            AddDeclaring(assembly);
        }
    }

    /// <summary>The <c>json</c> format.</summary>
    public static JsonFormat Json { get; }

    /// <summary>The <c>csv</c> format.</summary>
    public static CsvFormat Csv { get; }

    /// <summary>The <c>raw</c> format.</summary>
    public static RawFormat Raw { get; }

    /// <summary>Every known format: the built-in ones first, then the registered ones in registration order. A snapshot.</summary>
    public static IReadOnlyList<RowFormat> All => Volatile.Read(ref s_all);

    /// <summary>The identifiers of <see cref="All"/>, in the same order (json, csv, raw, then registered ones). A snapshot.</summary>
    public static IReadOnlyList<string> Identifiers
    {
        get
        {
            var all = All;
            var identifiers = new string[all.Count];
            for (var i = 0; i < identifiers.Length; i++)
            {
                identifiers[i] = all[i].Identifier;
            }
            return identifiers;
        }
    }

    /// <summary>Counts registrations: it changes whenever <see cref="All"/> gains a format, so option lists built from it know when to rebuild.</summary>
    public static int Version => Volatile.Read(ref s_all).Length;

    /// <summary>Registers <paramref name="format"/> under its <see cref="RowFormat.Identifier"/>; registering the same instance twice does nothing.</summary>
    /// <exception cref="InvalidOperationException">Another format has the same identifier (ignoring case).</exception>
    public static void Register(RowFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentException.ThrowIfNullOrWhiteSpace(format.Identifier, nameof(format));
        lock (s_lock)
        {
            foreach (var existing in s_all)
            {
                if (ReferenceEquals(existing, format))
                {
                    return;
                }
                if (string.Equals(existing.Identifier, format.Identifier, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException(
                        $"Row format '{format.Identifier}' is registered twice, by {existing.GetType().FullName} and {format.GetType().FullName}: identifiers must be unique.");
                }
            }
            Volatile.Write(ref s_all, [.. s_all, format]);
        }
    }

    /// <summary>Registers the formats <paramref name="assembly"/> declares with <see cref="RowFormatsAttribute"/>; adding an assembly twice does nothing.</summary>
    /// <exception cref="InvalidOperationException">A declared type is not a <see cref="RowFormat"/> with a public parameterless constructor, or its identifier is taken.</exception>
    public static void AddAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        lock (s_lock)
        {
            if (!s_assemblies.Add(assembly))
            {
                return;
            }
        }
        foreach (var attribute in assembly.GetCustomAttributes<RowFormatsAttribute>())
        {
            foreach (var type in attribute.FormatTypes)
            {
                if (!typeof(RowFormat).IsAssignableFrom(type) || type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null)
                {
                    throw new InvalidOperationException(
                        $"Assembly {assembly.GetName().Name} declares row format {type.FullName}, which is not a non-abstract RowFormat with a public parameterless constructor.");
                }
                Register((RowFormat)Activator.CreateInstance(type)!);
            }
        }
    }

    /// <summary>The format named <paramref name="identifier"/> (case-insensitive).</summary>
    /// <exception cref="ConfigOptionsException">No known format has that identifier; the message lists them.</exception>
    public static RowFormat Get(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        var all = All;
        foreach (var format in all)
        {
            if (string.Equals(format.Identifier, identifier, StringComparison.OrdinalIgnoreCase))
            {
                return format;
            }
        }
        throw new ConfigOptionsException(
            $"Option 'format' must be one of {string.Join(", ", all.Select(static f => $"'{f.Identifier}'"))} (got '{identifier}').", identifier, "format");
    }

    private static void AddDeclaring(Assembly assembly)
    {
        if (!assembly.IsDynamic && assembly.IsDefined(typeof(RowFormatsAttribute), inherit: false))
        {
            AddAssembly(assembly);
        }
    }
}
