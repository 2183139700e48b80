namespace Sluice.Runtime.Operators;

/// <summary>State-size figures of a keyed operator, for tests and metrics.</summary>
internal interface IKeyedStateInspection
{
    /// <summary>Live keyed-state entries (or windows), expired-but-unswept ones included.</summary>
    int StateEntryCount { get; }

    /// <summary>Live timers.</summary>
    int TimerCount { get; }
}
