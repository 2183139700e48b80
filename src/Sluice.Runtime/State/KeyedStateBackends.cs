using System.Text;
using Sluice.Runtime.Operators;
using Sluice.State;

namespace Sluice.Runtime.State;

/// <summary>Creates the keyed state backend a job's options ask for (<see cref="JobOptions.StateBackend"/>).</summary>
internal static class KeyedStateBackends
{
    /// <summary>The backend of one keyed operator subtask, for the key groups it owns.</summary>
    /// <exception cref="IOException">The RocksDB backend cannot create or open its directory (the message names the path and the OS error).</exception>
    public static IKeyedStateBackend<TKey> Create<TKey>(OperatorContext context, string operatorUid, IKeyHasher<TKey> hasher) where TKey : notnull =>
        context.Options.StateBackend switch
        {
            RocksDbStateBackend rocks => new RocksDbKeyedStateBackend<TKey>(context.OperatorName, RocksDbDirectory(rocks, context.Options.JobName, operatorUid, context.SubtaskIndex),
                rocks, context.TimeProvider, hasher, context.Options.KeyGroupCount, context.KeyGroups, deleteEmptyParent: true, context.Options.Checkpoints?.Store,
                context.Cancellation),
            _ => new HeapKeyedStateBackend<TKey>(context.OperatorName, context.TimeProvider, hasher, context.Options.KeyGroupCount, context.KeyGroups),
        };

    /// <summary>
    /// <c>&lt;root&gt;/&lt;job&gt;/&lt;operator uid&gt;-&lt;subtask&gt;-&lt;instance&gt;</c>: the instance suffix keeps two
    /// runs of one job (or an operator re-opened by a restart before the old one closed) apart.
    /// </summary>
    internal static string RocksDbDirectory(RocksDbStateBackend options, string jobName, string operatorUid, int subtask) =>
        Path.Combine(options.ResolvedDirectory, SafeName(jobName), $"{SafeName(operatorUid)}-{subtask}-{Guid.NewGuid().ToString("N")[..8]}");

    /// <summary>A name usable as one path segment: letters, digits, '-', '_' and '.' kept, anything else '_'.</summary>
    internal static string SafeName(string name)
    {
        var text = new StringBuilder(Math.Min(name.Length, 64));
        foreach (var c in name.AsSpan(0, Math.Min(name.Length, 64)))
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }
        return text.Length == 0 || text.ToString() is "." or ".." ? "_" : text.ToString();
    }
}
