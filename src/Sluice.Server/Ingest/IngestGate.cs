namespace Sluice.Server.Ingest;

/// <summary>
/// Bounds the ingest work in flight: at most <see cref="MaxRequests"/> requests and <see cref="MaxBytes"/> body bytes
/// at once. A request that does not fit is refused at once (the endpoint answers 429 with Retry-After): there is no
/// queue, so memory stays bounded and a client learns to back off instead of waiting behind a backlog. Thread-safe
/// (interlocked counters).
/// </summary>
internal sealed class IngestGate(int maxRequests, long maxBytes)
{
    private int _requests;
    private long _bytes;

    /// <summary>Most requests in flight.</summary>
    public int MaxRequests { get; set; } = maxRequests;

    /// <summary>Most body bytes in flight.</summary>
    public long MaxBytes { get; set; } = maxBytes;

    /// <summary>Requests in flight now.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Body bytes in flight now.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Takes a request slot; false (and nothing taken) when all are in use.</summary>
    public bool TryEnterRequest()
    {
        if (Interlocked.Increment(ref _requests) <= MaxRequests)
        {
            return true;
        }
        Interlocked.Decrement(ref _requests);
        return false;
    }

    /// <summary>Returns a request slot.</summary>
    public void ExitRequest() => Interlocked.Decrement(ref _requests);

    /// <summary>Takes <paramref name="bytes"/> of the byte budget; false (and nothing taken) when they do not fit.
    /// One request may always take the whole budget when nothing else holds any.</summary>
    public bool TryTakeBytes(long bytes)
    {
        var now = Interlocked.Add(ref _bytes, bytes);
        if (now <= MaxBytes || now == bytes)
        {
            return true;
        }
        Interlocked.Add(ref _bytes, -bytes);
        return false;
    }

    /// <summary>Returns <paramref name="bytes"/> of the byte budget.</summary>
    public void ReturnBytes(long bytes) => Interlocked.Add(ref _bytes, -bytes);
}
