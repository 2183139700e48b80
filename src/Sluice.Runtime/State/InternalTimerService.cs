using Sluice.Runtime.Checkpointing;
using Sluice.State.Serialization;

namespace Sluice.Runtime.State;

/// <summary>
/// The timers of one keyed operator: named services, each keyed and namespaced, all checkpointed per key group with
/// the keyed state. Both state backends keep timers here, on the heap. Task thread only (snapshots are written
/// elsewhere, see <see cref="Snapshot"/>).
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
internal sealed class TimerServiceManager<TKey>(IKeyedStateBackend<TKey> keys, Action<long> requestProcessingTime) where TKey : notnull
{
    private readonly List<ITimerServiceInternal> _services = [];
    private KeyedStateRestore? _restore;

    /// <summary>The watermark the services fired event-time timers up to.</summary>
    public long CurrentWatermark { get; private set; } = EventTime.MinWatermark;

    /// <summary>Live timers over all services and both domains.</summary>
    public long Count
    {
        get
        {
            long n = 0;
            foreach (var service in _services)
            {
                n += service.Count;
            }
            return n;
        }
    }

    /// <summary>Hands restored timers to services as they are created by name.</summary>
    public void Restore(KeyedStateRestore restore)
    {
        _restore = restore;
        CurrentWatermark = restore.Watermark;
    }

    /// <summary>
    /// Creates the timer service <paramref name="name"/> whose timers call <paramref name="target"/>; restored timers
    /// of that name are loaded (and, for processing time, the earliest is requested from the task).
    /// </summary>
    /// <exception cref="InvalidOperationException">The name is taken.</exception>
    /// <exception cref="StateFormatException">Restored timers of that name have another namespace format.</exception>
    public InternalTimerService<TKey, TNamespace> GetTimerService<TNamespace>(string name, IStateSerializer<TNamespace> namespaceSerializer, ITimerTarget<TKey, TNamespace> target)
    {
        if (_services.Exists(s => s.Header.Name == name))
        {
            throw new InvalidOperationException($"Timer service '{name}' already exists in this operator.");
        }
        var service = new InternalTimerService<TKey, TNamespace>(name, keys, namespaceSerializer, target, requestProcessingTime, this);
        if (_restore?.TakeTimers(name) is { } restored)
        {
            restored.Header.NamespaceFormat.EnsureReadableBy(service.Header.NamespaceFormat, $"{name} (timer namespace)");
            service.Restore(restored, _restore.KeyVersion);
        }
        _services.Add(service);
        return service;
    }

    /// <summary>Fires every service's event-time timers up to <paramref name="watermark"/>, in service creation order.</summary>
    public void AdvanceWatermark(long watermark)
    {
        CurrentWatermark = watermark;
        foreach (var service in _services)
        {
            service.AdvanceWatermark(watermark);
        }
    }

    /// <summary>Fires every service's due processing-time timers (see <see cref="InternalTimerService{TKey, TNamespace}.OnProcessingTime"/>), then requests the next call back.</summary>
    public void OnProcessingTime(long now)
    {
        var next = long.MaxValue;
        foreach (var service in _services)
        {
            next = Math.Min(next, service.OnProcessingTime(now));
        }
        if (next != long.MaxValue)
        {
            requestProcessingTime(next);
        }
    }

    /// <summary>Marks a snapshot point of every service's timers; restored services never created again are carried over.</summary>
    public ITimerSnapshot Snapshot()
    {
        var frozen = _services.ConvertAll(s => s.Freeze());
        var carried = _restore?.Timers.ToList() ?? [];
        return new TimerSnapshot(frozen, carried);
    }

    /// <summary>The timers of one snapshot point, written on any thread.</summary>
    internal interface ITimerSnapshot : IDisposable
    {
        void Write(KeyedSnapshotWriter headers, SnapshotContext target);
    }

    internal interface ITimerServiceInternal
    {
        TimerHeader Header { get; }

        long Count { get; }

        void AdvanceWatermark(long watermark);

        /// <summary>Fires due processing-time timers; returns when to be called back (after <paramref name="now"/>), or <see cref="long.MaxValue"/>.</summary>
        long OnProcessingTime(long now);

        ITimerSnapshot Freeze();
    }

    private sealed class TimerSnapshot(List<ITimerSnapshot> services, List<RestoredTimers> carried) : ITimerSnapshot
    {
        public void Write(KeyedSnapshotWriter headers, SnapshotContext target)
        {
            foreach (var service in services)
            {
                service.Write(headers, target);
            }
            foreach (var restored in carried)
            {
                var index = headers.AddTimerService(restored.Header);
                foreach (var (group, payload) in restored.EventTimers)
                {
                    KeyedStateSnapshot.WriteRecord(target.KeyGroup(group), KeyedStateSnapshot.EventTimerTag, index, payload.Span);
                }
                foreach (var (group, payload) in restored.ProcessingTimers)
                {
                    KeyedStateSnapshot.WriteRecord(target.KeyGroup(group), KeyedStateSnapshot.ProcessingTimerTag, index, payload.Span);
                }
            }
        }

        public void Dispose()
        {
            foreach (var service in services)
            {
                service.Dispose();
            }
        }
    }
}

/// <summary>
/// One timer service: timers scoped to (current key, namespace), in event time (fire when the watermark reaches them)
/// and processing time (when the clock does). A (key, namespace, time) timer exists at most once per domain and fires
/// once; due timers fire in (time, registration) order with the backend's current key set to the timer's key. Task
/// thread only.
/// </summary>
internal sealed class InternalTimerService<TKey, TNamespace> : TimerServiceManager<TKey>.ITimerServiceInternal where TKey : notnull
{
    private readonly IKeyedStateBackend<TKey> _keys;
    private readonly IStateSerializer<TNamespace> _namespaceSerializer;
    private readonly IStateSerializer<TKey> _keySerializer = StateSerializers.For<TKey>();
    private readonly ITimerTarget<TKey, TNamespace> _target;
    private readonly Action<long> _requestProcessingTime;
    private readonly TimerServiceManager<TKey> _manager;
    private readonly TimerQueue<TKey, TNamespace> _event;
    private readonly TimerQueue<TKey, TNamespace> _processing;
    private long _firingTime = long.MinValue; // during OnProcessingTime, the time of the timer being fired
    private long _heldAt = long.MinValue;     // the clock reading of the last pass that held timers: a call at it fires nothing
    private TimerQueue<TKey, TNamespace>? _held; // registered by the running pass at or before the firing time (made on first use)

    internal InternalTimerService(string name, IKeyedStateBackend<TKey> keys, IStateSerializer<TNamespace> namespaceSerializer, ITimerTarget<TKey, TNamespace> target,
        Action<long> requestProcessingTime, TimerServiceManager<TKey> manager)
    {
        _keys = keys;
        _namespaceSerializer = namespaceSerializer;
        _target = target;
        _requestProcessingTime = requestProcessingTime;
        _manager = manager;
        _event = new();
        _processing = new();
        Header = new TimerHeader(name, SerializerDescriptor.Of(namespaceSerializer));
    }

    public TimerHeader Header { get; }

    /// <summary>The watermark event-time timers fired up to.</summary>
    public long CurrentWatermark => _manager.CurrentWatermark;

    public long Count => _event.Count + _processing.Count;

    /// <summary>
    /// The hint of the timer being fired (<see cref="TimerQueue{TKey, TNamespace}.NoHint"/> for one registered
    /// without, or restored): a superset its registrant reads back, see <see cref="TimerQueue{TKey, TNamespace}"/>. Valid
    /// only inside a timer callback: after the firing loop it still holds the last fired timer's hint.
    /// </summary>
    public ulong FiringHint { get; private set; } = TimerQueue<TKey, TNamespace>.NoHint;

    /// <summary>Registers an event-time timer for the current key; false when it exists.</summary>
    public bool RegisterEventTimeTimer(TNamespace ns, long time) => _event.Register(_keys.CurrentKey, ns, time);

    /// <summary>Registers an event-time timer for the current key with a hint (ORed into the timer's when it exists); false when it exists.</summary>
    public bool RegisterEventTimeTimer(TNamespace ns, long time, ulong hint) => _event.Register(_keys.CurrentKey, ns, time, hint);

    /// <summary>Deletes the current key's event-time timer; false when there was none.</summary>
    public bool DeleteEventTimeTimer(TNamespace ns, long time) => _event.Delete(_keys.CurrentKey, ns, time);

    /// <summary>Registers a processing-time timer for the current key and asks the task for a callback at its time; false when it exists.</summary>
    public bool RegisterProcessingTimeTimer(TNamespace ns, long time) => RegisterProcessingTimeTimer(ns, time, TimerQueue<TKey, TNamespace>.NoHint);

    /// <summary>
    /// Registers a processing-time timer for the current key with a hint (ORed into the timer's when it exists); false
    /// when it exists. A new one registered from a processing-time callback for a time at or before the firing timer's
    /// is held until the clock has moved past the pass's reading: callbacks read the step's one clock reading as the
    /// current time, and a timer re-armed at it would otherwise fire again in the same pass without end (and then once
    /// per step). So a callback adds to its pass only timers later than the one firing, up to the pass's time, and the
    /// pass ends; such a later one (a window's next end that is already due) still fires in this pass.
    /// </summary>
    public bool RegisterProcessingTimeTimer(TNamespace ns, long time, ulong hint)
    {
        var key = _keys.CurrentKey;
        if (time <= _firingTime)
        {
            return !_processing.MergeIfLive(key, ns, time, hint) && (_held ??= new()).Register(key, ns, time, hint);
        }
        if (!_processing.Register(key, ns, time, hint))
        {
            return false;
        }
        if (_firingTime == long.MinValue)
        {
            _requestProcessingTime(time); // within a pass, what the pass returns is requested after it
        }
        return true;
    }

    /// <summary>Deletes the current key's processing-time timer (also one held by the running pass, see <see cref="RegisterProcessingTimeTimer(TNamespace, long, ulong)"/>); false when there was none.</summary>
    public bool DeleteProcessingTimeTimer(TNamespace ns, long time)
    {
        var key = _keys.CurrentKey;
        return _processing.Delete(key, ns, time) || (_held is not null && _held.Delete(key, ns, time));
    }

    public void AdvanceWatermark(long watermark)
    {
        while (_event.TryPopDue(watermark, out var timer))
        {
            _keys.SetCurrentKey(timer.Key);
            FiringHint = timer.Hint;
            _target.OnEventTime(timer.Key, timer.Namespace, timer.Time);
        }
    }

    /// <summary>
    /// Fires the processing-time timers due at <paramref name="now"/> in (time, registration) order; returns the time
    /// to be called back at: the next timer's, but after <paramref name="now"/> when this pass held timers that are due
    /// already (they wait for the clock to move), or <see cref="long.MaxValue"/>. A call at the reading of a pass that
    /// held timers fires nothing: every due timer of the service waits for the clock to move on.
    /// </summary>
    public long OnProcessingTime(long now)
    {
        if (now == _heldAt)
        {
            return Math.Max(_processing.NextTime, now + 1); // _heldAt is never long.MaxValue
        }
        var held = false;
        try
        {
            while (_processing.TryPopDue(now, out var timer))
            {
                _keys.SetCurrentKey(timer.Key);
                FiringHint = timer.Hint;
                _firingTime = timer.Time;
                _target.OnProcessingTime(timer.Key, timer.Namespace, timer.Time);
            }
        }
        finally
        {
            _firingTime = long.MinValue;
            while (_held is not null && _held.TryPopDue(long.MaxValue, out var timer))
            {
                held = true;
                _processing.Register(timer.Key, timer.Namespace, timer.Time, timer.Hint);
            }
        }
        var next = _processing.NextTime;
        if (!held || now == long.MaxValue)
        {
            return next;
        }
        _heldAt = now;
        return Math.Max(next, now + 1);
    }

    internal void Restore(RestoredTimers restored, int keyVersion)
    {
        var namespaceVersion = restored.Header.NamespaceFormat.Version;
        Load(_event, restored.EventTimers);
        Load(_processing, restored.ProcessingTimers);
        if (_processing.NextTime is var next && next != long.MaxValue)
        {
            _requestProcessingTime(next);
        }

        void Load(TimerQueue<TKey, TNamespace> queue, List<RestoredPayload> timers)
        {
            foreach (var (group, payload) in timers)
            {
                var reader = new StateReader(payload);
                var key = _keySerializer.Read(reader, keyVersion);
                var ns = _namespaceSerializer.Read(reader, namespaceVersion);
                var time = reader.ReadZigZagInt64();
                reader.EnsureAtEnd();
                queue.Register(key, ns, time);
            }
        }
    }

    public TimerServiceManager<TKey>.ITimerSnapshot Freeze() => new Frozen(this, _event.Freeze(), _processing.Freeze());

    private sealed class Frozen(InternalTimerService<TKey, TNamespace> service,
        TimerQueue<TKey, TNamespace>.FrozenTimers eventTimers,
        TimerQueue<TKey, TNamespace>.FrozenTimers processingTimers) : TimerServiceManager<TKey>.ITimerSnapshot
    {
        public void Write(KeyedSnapshotWriter headers, SnapshotContext target)
        {
            var index = headers.AddTimerService(service.Header);
            var scratch = new StateWriter(64);
            var events = new TimerWriter(service, target, scratch, index, KeyedStateSnapshot.EventTimerTag);
            eventTimers.ForEach(ref events);
            var processing = new TimerWriter(service, target, scratch, index, KeyedStateSnapshot.ProcessingTimerTag);
            processingTimers.ForEach(ref processing);
        }

        public void Dispose()
        {
            // A frozen view holds arrays only; the queue copies what it changes while a view may read it.
        }
    }

    /// <summary>Writes each frozen timer into its key group's section (the key group is computed here, not when the timer was registered).</summary>
    private readonly struct TimerWriter(InternalTimerService<TKey, TNamespace> service, SnapshotContext target, StateWriter scratch, int index, byte tag)
        : TimerQueue<TKey, TNamespace>.IVisitor
    {
        public void Visit(TKey key, TNamespace ns, long time)
        {
            scratch.Reset();
            service._keySerializer.Write(scratch, key);
            service._namespaceSerializer.Write(scratch, ns);
            scratch.WriteZigZagInt64(time);
            KeyedStateSnapshot.WriteRecord(target.KeyGroup(service._keys.KeyGroupOf(key)), tag, index, scratch.WrittenSpan);
        }
    }
}
