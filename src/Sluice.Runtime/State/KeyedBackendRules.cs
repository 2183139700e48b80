using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.State;

/// <summary>
/// When a backend sweeps expired TTL entries: once half the shortest TTL of its states has passed since the last
/// sweep. Never when no state has a TTL. Task thread only.
/// </summary>
internal struct TtlSweepSchedule(long now)
{
    private long _minTtl = long.MaxValue;
    private long _lastSweep = now;

    /// <summary>Notes a state's TTL.</summary>
    public void Add(StateTtlConfig? ttl)
    {
        if (ttl is not null)
        {
            _minTtl = Math.Min(_minTtl, ttl.TimeToLiveMs);
        }
    }

    /// <summary>True when some state has a TTL (otherwise time need not even be read).</summary>
    public readonly bool HasTtl => _minTtl != long.MaxValue;

    /// <summary>True (and the sweep counted as done) when a sweep is due at <paramref name="now"/>.</summary>
    public bool IsDue(long now)
    {
        if (!HasTtl || now - _lastSweep < Math.Max(1, _minTtl / 2))
        {
            return false;
        }
        _lastSweep = now;
        return true;
    }
}

/// <summary>The checks every keyed state backend makes the same way.</summary>
internal static class KeyedBackendRules
{
    /// <summary>
    /// Checks that <paramref name="restore"/> can be loaded by backend <paramref name="backend"/> of operator
    /// <paramref name="operatorName"/>: before any state exists, and in the key-group layout every backend reads.
    /// </summary>
    /// <param name="restore">The restored state.</param>
    /// <param name="statesCreated">States the backend created so far (must be none).</param>
    /// <param name="operatorName">For messages.</param>
    /// <param name="backend">The backend's name, for messages.</param>
    /// <param name="ownLayout">A layout only this backend reads besides <see cref="KeyedStateSnapshot.KeyGroupLayout"/>, or null.</param>
    /// <exception cref="InvalidOperationException">States were already created.</exception>
    /// <exception cref="StateFormatException">The snapshot is in another backend's layout.</exception>
    public static void EnsureRestorable(KeyedStateRestore restore, int statesCreated, string operatorName, string backend, string? ownLayout = null)
    {
        ArgumentNullException.ThrowIfNull(restore);
        if (statesCreated > 0)
        {
            throw new InvalidOperationException($"Operator '{operatorName}': keyed state must be restored before any state is created.");
        }
        if (restore.Backend == RocksDbCheckpointHandle.Layout && ownLayout != restore.Backend)
        {
            throw new StateFormatException(
                $"Keyed state of '{operatorName}' was checkpointed incrementally by the RocksDB backend (layout '{restore.Backend}'), which only that backend reads; the job now uses the {backend} backend. Restore it with RocksDbStateBackend, or first take a savepoint with RocksDbStateBackend.IncrementalCheckpoints = false and restore that.");
        }
        if (restore.Backend != KeyedStateSnapshot.KeyGroupLayout && restore.Backend != ownLayout)
        {
            throw new StateFormatException(
                $"Keyed state of '{operatorName}' was checkpointed in the '{restore.Backend}' layout, which only that state backend reads; the job now uses the {backend} backend. Restore with the backend that wrote the checkpoint, or from a savepoint.");
        }
    }

    /// <summary>
    /// Checks that state <paramref name="current"/> of operator <paramref name="operatorName"/> can take the entries of
    /// the restored state <paramref name="restored"/> of the same name: same kind, readable namespace and value formats.
    /// </summary>
    /// <exception cref="StateFormatException">The kind or a format differs; the message names the operator and the state.</exception>
    public static void EnsureCompatible(StateHeader restored, StateHeader current, string operatorName)
    {
        if (restored.Kind != current.Kind)
        {
            throw new StateFormatException(
                $"State '{current.Name}' of operator '{operatorName}' was checkpointed as {restored.Kind} state but is now {current.Kind} state. Keep a state's kind, or give the new state another name.");
        }
        var what = $"{operatorName}/{current.Name}";
        restored.NamespaceFormat.EnsureReadableBy(current.NamespaceFormat, $"{what} (namespace)");
        restored.ValueFormat.EnsureReadableBy(current.ValueFormat, what);
    }
}
