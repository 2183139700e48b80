namespace Sluice;

/// <summary>
/// A collector that can also emit with an explicit event timestamp (joins emit <c>max(left, right)</c>). Every
/// collector the runtime passes to a function implements it.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public interface ITimestampCollector<in T> : ICollector<T>
{
    /// <summary>Emits one record with <paramref name="timestamp"/> (ms since epoch) as its event time.</summary>
    void Collect(T value, long timestamp);
}
