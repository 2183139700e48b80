using Sluice.Sinks;

namespace Sluice.Testing;

/// <summary>
/// Tests one operator (or a short pipeline) in isolation: push records with timestamps and watermarks into its
/// input, move processing time, and read its main and side outputs with their timestamps. Runs the real runtime in
/// the deterministic mode with a virtual clock. Register side outputs with <see cref="SideOutput{TSide}"/> before
/// pushing input. <see cref="Snapshot"/> and <see cref="InitializeState"/> checkpoint the operators and restore a new
/// driver from the checkpoint, as Flink's harness does with <c>snapshot()</c> and <c>initializeState()</c>. Not
/// thread-safe.
/// </summary>
/// <typeparam name="TIn">Input record type.</typeparam>
/// <typeparam name="TOut">Output record type.</typeparam>
public sealed class OperatorTestDriver<TIn, TOut> : IDisposable
{
    private readonly JobTestDriver _driver;
    private readonly TestInput<TIn> _input;
    private readonly DataStream<TOut> _stream;
    private readonly CollectSink<TOut> _output;
    private readonly Dictionary<string, object> _sides = [];
    private bool _started;

    /// <summary>Creates a driver for the operators <paramref name="pipeline"/> builds on the input stream.</summary>
    /// <param name="pipeline">Builds the operator(s) under test from the input stream.</param>
    /// <param name="options">Job options (parallelism, key groups, …); the mode and clock are the driver's.</param>
    public OperatorTestDriver(Func<DataStream<TIn>, DataStream<TOut>> pipeline, JobOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        _driver = new JobTestDriver(options);
        _input = _driver.CreateInput<TIn>();
        _stream = pipeline(_input.Stream);
        _output = _stream.Collect("TestOutput");
    }

    /// <summary>The virtual processing-time clock.</summary>
    public ManualTimeProvider Clock => _driver.Clock;

    /// <summary>The underlying job driver.</summary>
    public JobTestDriver Job => _driver;

    /// <summary>Everything the operator emitted on its main output so far, with timestamps, in order.</summary>
    public IReadOnlyList<(TOut Value, long Timestamp)> Output => _output.TimestampedItems;

    /// <summary>The values emitted so far, in order.</summary>
    public IReadOnlyList<TOut> Values => _output.Items;

    /// <summary>Collects the side output <paramref name="tag"/>; call before pushing input, then read the returned sink.</summary>
    /// <exception cref="InvalidOperationException">Input was already pushed.</exception>
    public CollectSink<TSide> SideOutput<TSide>(OutputTag<TSide> tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (_sides.TryGetValue(tag.Id, out var existing))
        {
            return (CollectSink<TSide>)existing;
        }
        if (_started)
        {
            throw new InvalidOperationException("Register side outputs before pushing input: the job is already running.");
        }
        var sink = _stream.GetSideOutput(tag).Collect($"TestSideOutput[{tag.Id}]");
        _sides[tag.Id] = sink;
        return sink;
    }

    /// <summary>Pushes one record and processes it.</summary>
    public OperatorTestDriver<TIn, TOut> ProcessElement(TIn value, long timestamp = EventTime.NoTimestamp)
    {
        _input.Push(value, timestamp);
        return Run();
    }

    /// <summary>Pushes a watermark and processes everything it fires.</summary>
    public OperatorTestDriver<TIn, TOut> ProcessWatermark(long watermark)
    {
        _input.PushWatermark(watermark);
        return Run();
    }

    /// <summary>Moves processing time forward and processes what falls due.</summary>
    public OperatorTestDriver<TIn, TOut> AdvanceProcessingTime(TimeSpan delta)
    {
        _started = true;
        _driver.AdvanceProcessingTime(delta);
        return this;
    }

    /// <summary>Ends the input: the final watermark (+∞) fires every pending window and timer.</summary>
    public OperatorTestDriver<TIn, TOut> Finish()
    {
        _input.Complete();
        _started = true;
        _driver.RunToCompletion();
        return this;
    }

    /// <summary>
    /// Checkpoints the operators under test without ending the input; see <see cref="JobTestDriver.Snapshot"/> for the
    /// contract. Everything pushed so far is processed first; the driver keeps running afterwards.
    /// </summary>
    /// <returns>An immutable snapshot to pass to <see cref="InitializeState"/> of a new driver.</returns>
    /// <exception cref="InvalidOperationException">The input was finished (<see cref="Finish"/>).</exception>
    /// <example>
    /// <code>
    /// var snapshot = driver.ProcessElement(x, 10).ProcessWatermark(5).Snapshot();
    /// using var restored = new OperatorTestDriver&lt;In, Out&gt;(Pipeline, new JobOptions { Parallelism = 2 });
    /// restored.InitializeState(snapshot).ProcessElement(y, 20).ProcessWatermark(30);
    /// </code>
    /// </example>
    public TestSnapshot Snapshot()
    {
        _started = true;
        return _driver.Snapshot();
    }

    /// <summary>
    /// Restores the operators from <paramref name="snapshot"/> (taken from a driver built with the same pipeline);
    /// call before pushing input. Operators are matched by uid — give them <c>Uid(...)</c>, or build the pipeline the
    /// same way so the generated uids match — and keyed state is redistributed over this driver's parallelism. The
    /// clock moves forward to the snapshot's processing time. See <see cref="JobTestDriver.InitializeState"/>.
    /// </summary>
    /// <returns>This driver.</returns>
    /// <exception cref="InvalidOperationException">Input was already pushed (or time advanced, or a snapshot taken),
    /// state was already initialized, or the snapshot holds state for an operator this pipeline lacks or was taken
    /// with another <see cref="JobOptions.KeyGroupCount"/>.</exception>
    public OperatorTestDriver<TIn, TOut> InitializeState(TestSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (_started)
        {
            throw new InvalidOperationException("InitializeState must be called before the first input: this driver already processed input. Restore into a new driver.");
        }
        _driver.RestoreFrom(snapshot, validateNow: true);
        return this;
    }

    /// <summary>Records the windows under test classified as late so far.</summary>
    public long LateRecords => _driver.LateRecords;

    /// <summary>Live keyed-state entries and timers of the keyed operators under test.</summary>
    public (int StateEntries, int Timers) KeyedStateSize() => _driver.KeyedStateSize();

    private OperatorTestDriver<TIn, TOut> Run()
    {
        _started = true;
        _driver.RunUntilIdle();
        return this;
    }

    /// <summary>Closes the operators.</summary>
    public void Dispose() => _driver.Dispose();
}
