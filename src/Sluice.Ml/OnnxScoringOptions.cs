namespace Sluice.Ml;

/// <summary>How a scoring operator batches records and runs its model.</summary>
public sealed record OnnxScoringOptions
{
    /// <summary>
    /// Records per model run (the first dimension of the input tensor); a batch also runs early on a watermark, a
    /// checkpoint barrier, the end of input and <see cref="MaxBatchDelay"/>. Default 256.
    /// </summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>
    /// The longest a record waits in a partly filled batch, in processing time, before the batch runs anyway; bounds the
    /// latency of a slow stream. <see cref="TimeSpan.Zero"/> turns the timer off. Default 20 ms.
    /// </summary>
    public TimeSpan MaxBatchDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Threads ONNX Runtime uses inside one run, per subtask. Default 1: parallelism comes from the subtasks, each with
    /// its own session.
    /// </summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>The defaults.</summary>
    public static OnnxScoringOptions Default { get; } = new();

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range (named in the message).</exception>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchDelay, TimeSpan.Zero, nameof(MaxBatchDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(IntraOpThreads, 1, nameof(IntraOpThreads));
    }
}
