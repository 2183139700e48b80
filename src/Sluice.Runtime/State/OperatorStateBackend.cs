using Sluice.Runtime.Checkpointing;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.State;

/// <summary>
/// The named operator (non-keyed) states of one operator subtask: list, union list and broadcast state, restored from
/// this subtask's share of the checkpoint (<see cref="RestoreContext.NamedStates"/>) and written into every snapshot
/// as <see cref="OperatorStateSection"/>s. Operator state is small by nature (positions, buffers, rules), so it is
/// serialized in the synchronous phase of a snapshot. Task thread only.
/// </summary>
internal sealed class OperatorStateBackend(string operatorName, RestoreContext? restore) : IOperatorStateStore
{
    private readonly Dictionary<string, IOperatorState> _states = [];
    private readonly HashSet<string> _taken = [];

    public IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor) => GetList(descriptor, OperatorStateMode.SplitList);

    public IListState<T> GetUnionListState<T>(ListStateDescriptor<T> descriptor) => GetList(descriptor, OperatorStateMode.UnionList);

    public IMapState<TMapKey, TValue> GetBroadcastState<TMapKey, TValue>(MapStateDescriptor<TMapKey, TValue> descriptor) where TMapKey : notnull =>
        Register(descriptor, OperatorStateMode.Broadcast, () => new BroadcastState<TMapKey, TValue>(descriptor.Name));

    private OperatorListState<T> GetList<T>(ListStateDescriptor<T> descriptor, OperatorStateMode mode) =>
        Register(descriptor, mode, () => new OperatorListState<T>(descriptor.Name, mode));

    private TState Register<TState>(StateDescriptor descriptor, OperatorStateMode mode, Func<TState> create) where TState : class, IOperatorState
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (descriptor.Ttl is not null)
        {
            throw new InvalidOperationException($"Operator state '{descriptor.Name}' of '{operatorName}' has a TTL; TTL applies to keyed state only.");
        }
        if (_states.TryGetValue(descriptor.Name, out var existing))
        {
            return existing is TState typed && existing.Mode == mode ? typed : throw new InvalidOperationException(
                $"Operator '{operatorName}' registers operator state '{descriptor.Name}' twice with different kinds or types ({existing.Mode} of '{existing.Format.FormatId}', now {mode} {typeof(TState).Name}). State names must be unique per operator.");
        }
        var state = create();
        if (restore?.NamedStates.TryGetValue(descriptor.Name, out var restored) == true)
        {
            if (restored.Mode != mode)
            {
                throw new StateFormatException(
                    $"Operator state '{descriptor.Name}' of '{operatorName}' was checkpointed as {restored.Mode} but is now {mode}. Keep a state's kind, or give the new state another name.");
            }
            restored.Format.EnsureReadableBy(state.Format, $"{operatorName}/{descriptor.Name}");
            state.Restore(restored.Elements, restored.Format.Version);
            _taken.Add(descriptor.Name);
        }
        _states.Add(descriptor.Name, state);
        return state;
    }

    /// <summary>
    /// Adds every state to <paramref name="context"/>. Restored states never registered again are carried over: split
    /// lists and broadcast state by every subtask, union lists by subtask 0 only (every subtask holds all of them).
    /// </summary>
    public void Snapshot(SnapshotContext context, int subtask)
    {
        var scratch = new StateWriter();
        foreach (var state in _states.Values)
        {
            context.AddOperatorState(state.Snapshot(scratch));
        }
        if (restore is null)
        {
            return;
        }
        foreach (var (name, restored) in restore.NamedStates)
        {
            if (!_taken.Contains(name) && (restored.Mode != OperatorStateMode.UnionList || subtask == 0))
            {
                context.AddOperatorState(restored);
            }
        }
    }

    private interface IOperatorState
    {
        OperatorStateMode Mode { get; }

        SerializerDescriptor Format { get; }

        OperatorStateSection Snapshot(StateWriter scratch);

        void Restore(IReadOnlyList<ReadOnlyMemory<byte>> elements, int version);
    }

    private sealed class OperatorListState<T>(string name, OperatorStateMode mode) : IListState<T>, IOperatorState
    {
        private List<T> _items = [];

        public OperatorStateMode Mode => mode;

        public SerializerDescriptor Format => StateSerializers.Describe<T>();

        public IReadOnlyList<T> Get() => _items;

        public void Add(T value) => _items.Add(value);

        public void Update(IEnumerable<T> values)
        {
            ArgumentNullException.ThrowIfNull(values);
            _items = [.. values];
        }

        public void Clear() => _items.Clear();

        public OperatorStateSection Snapshot(StateWriter scratch)
        {
            var serializer = StateSerializers.For<T>();
            var elements = new List<ReadOnlyMemory<byte>>(_items.Count);
            foreach (var item in _items)
            {
                scratch.Reset();
                serializer.Write(scratch, item);
                elements.Add(scratch.WrittenSpan.ToArray());
            }
            return new OperatorStateSection(name, mode, Format, elements);
        }

        public void Restore(IReadOnlyList<ReadOnlyMemory<byte>> elements, int version)
        {
            var serializer = StateSerializers.For<T>();
            foreach (var element in elements)
            {
                var reader = new StateReader(element);
                _items.Add(serializer.Read(reader, version));
                reader.EnsureAtEnd();
            }
        }
    }

    /// <summary>Broadcast state: a map, each entry one element (key then value).</summary>
    private sealed class BroadcastState<TMapKey, TValue>(string name) : IMapState<TMapKey, TValue>, IOperatorState where TMapKey : notnull
    {
        private readonly Dictionary<TMapKey, TValue> _map = [];

        public OperatorStateMode Mode => OperatorStateMode.Broadcast;

        public SerializerDescriptor Format { get; } = new(
            $"entry({StateSerializers.PartId(StateSerializers.For<TMapKey>())},{StateSerializers.PartId(StateSerializers.For<TValue>())})", 1);

        public bool TryGetValue(TMapKey key, out TValue value) => _map.TryGetValue(key, out value!);

        public void Put(TMapKey key, TValue value) => _map[key] = value;

        public bool Remove(TMapKey key) => _map.Remove(key);

        public IEnumerable<KeyValuePair<TMapKey, TValue>> Entries => _map;

        public bool IsEmpty => _map.Count == 0;

        public void Clear() => _map.Clear();

        public OperatorStateSection Snapshot(StateWriter scratch)
        {
            var keys = StateSerializers.For<TMapKey>();
            var values = StateSerializers.For<TValue>();
            var elements = new List<ReadOnlyMemory<byte>>(_map.Count);
            foreach (var (key, value) in _map)
            {
                scratch.Reset();
                keys.Write(scratch, key);
                values.Write(scratch, value);
                elements.Add(scratch.WrittenSpan.ToArray());
            }
            return new OperatorStateSection(name, Mode, Format, elements);
        }

        public void Restore(IReadOnlyList<ReadOnlyMemory<byte>> elements, int version)
        {
            var keys = StateSerializers.For<TMapKey>();
            var values = StateSerializers.For<TValue>();
            foreach (var element in elements)
            {
                var reader = new StateReader(element);
                var key = keys.Read(reader, keys.Version);
                _map[key] = values.Read(reader, values.Version);
                reader.EnsureAtEnd();
            }
        }
    }
}
