namespace Sluice.Connectors;

/// <summary>
/// Names the <see cref="IConnectorFactory"/> types an assembly ships, so <see cref="ConnectorRegistry"/> finds them
/// without scanning every type: <c>[assembly: ConnectorFactories(typeof(DatagenConnectorFactory), …)]</c>. Each type
/// needs a public parameterless constructor.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class ConnectorFactoriesAttribute(params Type[] factoryTypes) : Attribute
{
    /// <summary>The factory types.</summary>
    public IReadOnlyList<Type> FactoryTypes { get; } = factoryTypes ?? [];
}
