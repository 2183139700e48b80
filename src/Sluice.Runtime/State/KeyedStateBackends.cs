using Sluice.Runtime.Operators;

namespace Sluice.Runtime.State;

/// <summary>Creates the keyed state backend a job's options ask for.</summary>
internal static class KeyedStateBackends
{
    /// <summary>The backend of one keyed operator subtask, for the key groups it owns.</summary>
    public static IKeyedStateBackend<TKey> Create<TKey>(OperatorContext context, IKeyHasher<TKey> hasher) where TKey : notnull =>
        new HeapKeyedStateBackend<TKey>(context.OperatorName, context.TimeProvider, hasher, context.Options.KeyGroupCount, context.KeyGroups);
}
