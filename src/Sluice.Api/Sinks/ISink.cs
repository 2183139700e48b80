using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sluice.Sinks;

/// <summary>
/// A destination for records. The runtime creates one writer per parallel subtask (and per attempt of a restarted
/// job), and disposes each writer when its task ends — finished, failed or cancelled. A sink that is
/// <see cref="IDisposable"/> or <see cref="IAsyncDisposable"/> is disposed once, when the job has ended for good
/// (before its completion is reported), after every writer.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public interface ISink<T>
{
    /// <summary>The largest useful parallelism (1 for a single file or console); 0 = unlimited.</summary>
    int MaxParallelism { get; }

    /// <summary>Creates the writer of one subtask; called on the subtask's thread.</summary>
    ISinkWriter<T> CreateWriter(SinkContext context);
}

/// <summary>Writes a subtask's records. All calls come from the subtask's thread.</summary>
/// <typeparam name="T">Record type.</typeparam>
public interface ISinkWriter<T> : IDisposable
{
    /// <summary>Writes (or buffers) one record. A failure fails the job.</summary>
    void Write(T value, long timestamp);

    /// <summary>
    /// Writes a batch of records in order; the spans are valid only during the call. The default calls
    /// <see cref="Write"/> per record; override it when the destination takes batches.
    /// </summary>
    void WriteBatch(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps)
    {
        for (var i = 0; i < values.Length; i++)
        {
            Write(values[i], timestamps[i]);
        }
    }

    /// <summary>Makes everything written so far durable/visible; called at the end of input.</summary>
    void Flush();

    /// <summary>
    /// Called on the task thread once per <see cref="SinkContext.WakeUp"/> request, between records: the place to act on
    /// the completion of asynchronous work without waiting for the next record or barrier (a writer whose reply arrived
    /// sends the records it buffered meanwhile). A failure fails the job. The default does nothing.
    /// </summary>
    void OnWakeUp()
    {
    }
}

/// <summary>What a sink writer knows of its environment.</summary>
/// <param name="OperatorName">The sink's display name.</param>
/// <param name="SubtaskIndex">This writer's subtask in <c>[0, Parallelism)</c>.</param>
/// <param name="Parallelism">The number of writers.</param>
/// <param name="TimeProvider">The job's clock.</param>
public sealed record SinkContext(string OperatorName, int SubtaskIndex, int Parallelism, TimeProvider TimeProvider)
{
    /// <summary>The job's name; empty outside a job.</summary>
    public string JobName { get; init; } = "";

    /// <summary>The id of the job's run; the default id outside a submitted job.</summary>
    public JobId JobId { get; init; }

    /// <summary>
    /// The job's <see cref="JobOptions.LoggerFactory"/>: a writer logs through it, naming the job, operator and subtask
    /// in its messages. Thread-safe. <see cref="NullLoggerFactory.Instance"/> outside a job.
    /// </summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>
    /// Callable from <em>any</em> thread: asks the task to call the writer's <see cref="ISinkWriter{T}.OnWakeUp"/> on the
    /// task thread at its next step, waking the task if it waits for input (the sink's counterpart of
    /// <c>IStreamOperatorContext.WakeUp</c>). Each call causes one callback, so coalesce calls. Outside a job (a writer
    /// driven by a test) it does nothing unless the creator of the context sets it.
    /// </summary>
    public Action WakeUp { get; init; } = static () => { };
}
