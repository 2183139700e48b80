using Sluice.Schemas;

namespace Sluice.Connectors;

internal sealed partial class AsyncLookupOperator<T, TOut>
{
    /// <summary>Sends the partial batch as one request; its completion is handed back by <see cref="Complete"/>.</summary>
    private void Flush()
    {
        if (_batch.Count == 0)
        {
            return;
        }
        var entries = _batch.ToArray();
        _batch.Clear();
        var keys = new Row[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            keys[i] = entries[i].Key!;
        }
        _inFlight++;
        LookupMetrics.Requests.Add(1, _tags);
        _ = SendAsync(new LookupRequest(entries, keys));
    }

    /// <summary>
    /// Runs one request to the end: attempts bounded by <see cref="AsyncLookupOptions.Timeout"/>, retried with doubling
    /// backoff up to <see cref="LookupOptions.MaxRetries"/> times; never throws (the outcome is in the request).
    /// </summary>
    private async Task SendAsync(LookupRequest request)
    {
        var source = _source!;
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                request.Attempts = attempt + 1;
                using var timeout = new CancellationTokenSource(_options.Timeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _closing.Token);
                try
                {
                    // WaitAsync bounds the attempt even when the source ignores its token.
                    var results = await source.LookupBatchAsync(request.Keys, linked.Token).WaitAsync(_options.Timeout, _time, _closing.Token).ConfigureAwait(false);
                    if (results.Count != request.Keys.Length)
                    {
                        throw new InvalidOperationException($"The lookup source {source.GetType().Name} answered {results.Count} key(s) for a batch of {request.Keys.Length}; it must answer each key once, in order.");
                    }
                    request.Results = results;
                    return;
                }
                catch (Exception e) when (!_closing.IsCancellationRequested && e is not ArgumentException and not InvalidOperationException)
                {
                    var timedOut = e is TimeoutException || (e is OperationCanceledException && timeout.IsCancellationRequested);
                    if (attempt >= _options.Lookup.MaxRetries)
                    {
                        request.Error = timedOut ? new TimeoutException($"No answer within {_options.Timeout.TotalMilliseconds} ms.", e) : e;
                        request.TimedOut = timedOut;
                        return;
                    }
                    LookupMetrics.Retries.Add(1, _tags);
                }
                var backoff = _options.RetryBackoff * Math.Pow(2, attempt);
                if (backoff > TimeSpan.Zero)
                {
                    await Task.Delay(backoff, _time, _closing.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            request.Error = e;
        }
        finally
        {
            Complete(request);
        }
    }

    /// <summary>Any thread: hands a finished request back to the task thread and wakes it (once until it ran).</summary>
    private void Complete(LookupRequest request)
    {
        if (_closed)
        {
            return;
        }
        _completed.Enqueue(request);
        _completions.Release();
        if (Interlocked.Exchange(ref _wakeRequested, 1) == 0)
        {
            Context.WakeUp();
        }
    }

    /// <summary>One batch in flight: written by its continuation, read by the task thread after <see cref="Complete"/> (the queue orders the two).</summary>
    private sealed class LookupRequest(Entry[] entries, Row[] keys)
    {
        public Entry[] Entries { get; } = entries;

        public Row[] Keys { get; } = keys;

        public IReadOnlyList<IReadOnlyList<Row>>? Results { get; set; }

        public Exception? Error { get; set; }

        public bool TimedOut { get; set; }

        public int Attempts { get; set; }
    }
}
