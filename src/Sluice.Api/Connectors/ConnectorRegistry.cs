using System.Reflection;
using Sluice.Configuration;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Sources;

namespace Sluice.Connectors;

/// <summary>
/// The connectors a process knows, by identifier: those named by the <see cref="ConnectorFactoriesAttribute"/> of
/// assemblies added (or loaded, for <see cref="FromLoadedAssemblies"/>), plus factories registered explicitly. The one
/// place SQL DDL and option dictionaries turn into sources and sinks. Thread-safe.
/// </summary>
public sealed class ConnectorRegistry
{
    /// <summary>The option naming the connector in a table's options (<c>'connector' = 'datagen'</c>).</summary>
    public const string ConnectorKey = "connector";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, IConnectorFactory> _factories = new(StringComparer.Ordinal);
    private readonly HashSet<Assembly> _assemblies = [];

    /// <summary>A registry of the factories of every assembly loaded in this process that declares some.</summary>
    /// <remarks>.NET loads an assembly when its code first runs: add a connector assembly the process has not used yet with <see cref="AddAssembly"/>.</remarks>
    /// <exception cref="InvalidOperationException">Two factories claim the same identifier, or a declared type is not a usable factory.</exception>
    public static ConnectorRegistry FromLoadedAssemblies()
    {
        var registry = new ConnectorRegistry();
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (!assembly.IsDynamic && assembly.IsDefined(typeof(ConnectorFactoriesAttribute), inherit: false))
            {
                registry.AddAssembly(assembly);
            }
        }
        return registry;
    }

    /// <summary>
    /// Registers the factories <paramref name="assembly"/> declares, and the row formats it declares with
    /// <see cref="Formats.RowFormatsAttribute"/> (on <see cref="Formats.RowFormats"/>, for every connector to use); adding
    /// an assembly twice does nothing.
    /// </summary>
    /// <returns>This registry.</returns>
    /// <exception cref="InvalidOperationException">A declared type is not an <see cref="IConnectorFactory"/> with a public parameterless constructor, or its identifier is taken.</exception>
    public ConnectorRegistry AddAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        lock (_lock)
        {
            if (!_assemblies.Add(assembly))
            {
                return this;
            }
        }
        Formats.RowFormats.AddAssembly(assembly);
        foreach (var attribute in assembly.GetCustomAttributes<ConnectorFactoriesAttribute>())
        {
            foreach (var type in attribute.FactoryTypes)
            {
                if (!typeof(IConnectorFactory).IsAssignableFrom(type) || type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null)
                {
                    throw new InvalidOperationException(
                        $"Assembly {assembly.GetName().Name} declares connector factory {type.FullName}, which is not a non-abstract IConnectorFactory with a public parameterless constructor.");
                }
                Register((IConnectorFactory)Activator.CreateInstance(type)!);
            }
        }
        return this;
    }

    /// <summary>Registers <paramref name="factory"/> under its <see cref="IConnectorFactory.Identifier"/>.</summary>
    /// <returns>This registry.</returns>
    /// <exception cref="InvalidOperationException">Another factory has the same identifier.</exception>
    public ConnectorRegistry Register(IConnectorFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (string.IsNullOrWhiteSpace(factory.Identifier) || factory.Capabilities == ConnectorCapabilities.None)
        {
            throw new InvalidOperationException($"Connector factory {factory.GetType().FullName} needs an identifier and at least one capability (source or sink).");
        }
        lock (_lock)
        {
            if (_factories.TryGetValue(factory.Identifier, out var existing))
            {
                throw new InvalidOperationException(
                    $"Connector '{factory.Identifier}' is registered twice, by {Describe(existing)} and {Describe(factory)}: identifiers must be unique.");
            }
            _factories.Add(factory.Identifier, factory);
        }
        return this;
    }

    /// <summary>The registered factories, ordered by identifier.</summary>
    public IReadOnlyList<IConnectorFactory> Factories
    {
        get
        {
            lock (_lock)
            {
                return [.. _factories.Values.OrderBy(static f => f.Identifier, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>The factory registered as <paramref name="identifier"/>, or false.</summary>
    public bool TryGet(string identifier, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IConnectorFactory? factory)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        lock (_lock)
        {
            return _factories.TryGetValue(identifier, out factory);
        }
    }

    /// <summary>The factory registered as <paramref name="identifier"/>.</summary>
    /// <exception cref="ConfigOptionsException">No connector has that identifier; the message lists the known ones.</exception>
    public IConnectorFactory Get(string identifier) =>
        TryGet(identifier, out var factory)
            ? factory
            : throw new ConfigOptionsException($"There is no connector '{identifier}'; the known connectors are: {KnownList()}.", identifier, ConnectorKey);

    /// <summary>
    /// Validates a table's options (which name the connector under <see cref="ConnectorKey"/>) and resolves its
    /// schema: what <see cref="CreateSource"/> and <see cref="CreateSink"/> pass to the factory.
    /// </summary>
    /// <param name="tableName">The table, for messages.</param>
    /// <param name="schema">The declared columns, or null for a connector with a schema of its own.</param>
    /// <param name="options">All the table's options, <c>connector</c> included.</param>
    /// <param name="capability">What the table is used as: <see cref="ConnectorCapabilities.Source"/>, <see cref="ConnectorCapabilities.Sink"/> or <see cref="ConnectorCapabilities.Lookup"/>.</param>
    /// <param name="factory">The connector's factory.</param>
    /// <exception cref="ConfigOptionsException">The connector is missing, unknown, cannot be used that way, or an option is invalid.</exception>
    public ConnectorContext CreateContext(string tableName, Schema? schema, IReadOnlyDictionary<string, string> options, ConnectorCapabilities capability, out IConnectorFactory factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.TryGetValue(ConnectorKey, out var identifier) || string.IsNullOrWhiteSpace(identifier))
        {
            throw new ConfigOptionsException($"Table '{tableName}' has no '{ConnectorKey}' option; the known connectors are: {KnownList()}.", null, ConnectorKey);
        }
        factory = Get(identifier);
        if ((factory.Capabilities & capability) == 0)
        {
            throw new ConfigOptionsException(
                $"Table '{tableName}' uses connector '{identifier}' as a {Describe(capability)}, but it is a {Describe(factory.Capabilities)} only.",
                identifier, ConnectorKey);
        }
        var rest = new Dictionary<string, string>(options.Count, StringComparer.Ordinal);
        foreach (var (key, value) in options)
        {
            if (key != ConnectorKey)
            {
                rest.Add(key, value);
            }
        }
        var validated = ConfigOptions.Validate(OptionOwnerKind.Connector, identifier, factory.Options, rest);
        return new ConnectorContext(tableName, factory.ResolveSchema(schema, validated), validated);
    }

    /// <summary>Creates the source of table <paramref name="tableName"/> from its options (see <see cref="CreateContext"/>).</summary>
    /// <exception cref="ConfigOptionsException">The options are invalid; the message names the option.</exception>
    public ISource<Row> CreateSource(string tableName, Schema? schema, IReadOnlyDictionary<string, string> options)
    {
        var context = CreateContext(tableName, schema, options, ConnectorCapabilities.Source, out var factory);
        return factory.CreateSource(context);
    }

    /// <summary>Creates the sink of table <paramref name="tableName"/> from its options (see <see cref="CreateContext"/>).</summary>
    /// <exception cref="ConfigOptionsException">The options are invalid; the message names the option.</exception>
    public ISink<Row> CreateSink(string tableName, Schema? schema, IReadOnlyDictionary<string, string> options)
    {
        var context = CreateContext(tableName, schema, options, ConnectorCapabilities.Sink, out var factory);
        return factory.CreateSink(context);
    }

    /// <summary>
    /// Creates a lookup source of table <paramref name="tableName"/> by <paramref name="keyColumns"/>, for one subtask of
    /// a lookup join (see <see cref="CreateContext"/> and <see cref="IConnectorFactory.CreateLookupSource"/>).
    /// </summary>
    /// <exception cref="ConfigOptionsException">The options are invalid, a key column is not one of the table's, or the connector cannot look up rows.</exception>
    public ILookupSource CreateLookupSource(string tableName, Schema? schema, IReadOnlyDictionary<string, string> options, IReadOnlyList<string> keyColumns)
    {
        ArgumentNullException.ThrowIfNull(keyColumns);
        var context = CreateContext(tableName, schema, options, ConnectorCapabilities.Lookup, out var factory);
        return factory.CreateLookupSource(context, keyColumns);
    }

    private static string Describe(ConnectorCapabilities capabilities)
    {
        var names = new List<string>(3);
        if ((capabilities & ConnectorCapabilities.Source) != 0)
        {
            names.Add("source");
        }
        if ((capabilities & ConnectorCapabilities.Sink) != 0)
        {
            names.Add("sink");
        }
        if ((capabilities & ConnectorCapabilities.Lookup) != 0)
        {
            names.Add("lookup table");
        }
        return string.Join(" and ", names);
    }

    private string KnownList()
    {
        lock (_lock)
        {
            return _factories.Count == 0 ? "(none registered)" : string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal));
        }
    }

    private static string Describe(IConnectorFactory factory) =>
        $"{factory.GetType().FullName} ({factory.GetType().Assembly.GetName().Name})";
}
