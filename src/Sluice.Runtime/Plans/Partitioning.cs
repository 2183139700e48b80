using System.Text.Json.Serialization;

namespace Sluice.Plans;

/// <summary>How an edge of a plan routes records from upstream to downstream subtasks. The JSON names are part of plan version 1.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Partitioning>))]
public enum Partitioning
{
    /// <summary>Upstream subtask <em>i</em> feeds downstream subtask <em>i</em> (equal parallelism, no key); chained edges are forward.</summary>
    [JsonStringEnumMemberName("forward")]
    Forward,

    /// <summary>Keyed: stable hash of the key → key group → the downstream subtask owning that key group.</summary>
    [JsonStringEnumMemberName("hash")]
    Hash,

    /// <summary>Round-robin over every downstream subtask (the parallelism changes, no key).</summary>
    [JsonStringEnumMemberName("rebalance")]
    Rebalance,
}
