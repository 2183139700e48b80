using System.Runtime.CompilerServices;

namespace Sluice.Schemas;

/// <summary>
/// The <see cref="SchemaEvolutionPlan"/>s of one writer, keyed by the (table schema, row schema) reference pair: while
/// neither schema object changes, <see cref="Get"/> costs two reference compares and allocates nothing. Schemas are
/// compared by reference, not equality, so that a plan's reason names the origin of the very schema it refused.
/// </summary>
/// <remarks>
/// Not thread-safe: one per writer (a writer runs on one thread). Holds at most <see cref="Capacity"/> plans and
/// forgets them all when full, so a source that allocated a schema per record would cost a plan per record, not memory.
/// </remarks>
public sealed class SchemaEvolutionPlanCache
{
    /// <summary>The most plans kept.</summary>
    public const int Capacity = 256;

    private readonly Dictionary<(Schema Table, Schema Incoming), SchemaEvolutionPlan> _plans = new(PairComparer.Instance);
    private SchemaEvolutionPlan? _last;

    /// <summary>The plan for rows of <paramref name="incoming"/> into a table of <paramref name="table"/>; created on first use.</summary>
    public SchemaEvolutionPlan Get(Schema table, Schema incoming)
    {
        var last = _last;
        if (last is not null && ReferenceEquals(last.Incoming, incoming) && ReferenceEquals(last.Table, table))
        {
            return last;
        }
        return _last = GetSlow(table, incoming);
    }

    /// <summary>How many plans are kept.</summary>
    public int Count => _plans.Count;

    private SchemaEvolutionPlan GetSlow(Schema table, Schema incoming)
    {
        if (!_plans.TryGetValue((table, incoming), out var plan))
        {
            if (_plans.Count >= Capacity)
            {
                _plans.Clear();
            }
            plan = SchemaEvolutionPlan.Create(table, incoming);
            _plans.Add((table, incoming), plan);
        }
        return plan;
    }

    private sealed class PairComparer : IEqualityComparer<(Schema Table, Schema Incoming)>
    {
        public static readonly PairComparer Instance = new();

        public bool Equals((Schema Table, Schema Incoming) x, (Schema Table, Schema Incoming) y) =>
            ReferenceEquals(x.Table, y.Table) && ReferenceEquals(x.Incoming, y.Incoming);

        public int GetHashCode((Schema Table, Schema Incoming) obj) =>
            HashCode.Combine(RuntimeHelpers.GetHashCode(obj.Table), RuntimeHelpers.GetHashCode(obj.Incoming));
    }
}
