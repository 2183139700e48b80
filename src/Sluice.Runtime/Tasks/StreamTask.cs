using System.Diagnostics;
using Sluice.Runtime.Operators;
using Sluice.Runtime.Transport;
using Sluice.Sources;

namespace Sluice.Runtime.Tasks;

/// <summary>
/// One subtask of one operator chain: the unit of scheduling. Its lifecycle is
/// <see cref="Open"/> → <see cref="Step"/> until <see cref="Finished"/> → <see cref="Close"/>. A step polls the source
/// once (source chains) or handles one input message (others), after firing due processing-time callbacks. Input
/// ends when every channel delivered end-of-input; the task then ends its operators (head to tail) and its exchanges.
/// All members except <see cref="RequestStop"/> are called from the task's own thread.
/// </summary>
internal sealed class StreamTask
{
    private readonly List<StreamOperator> _operators;
    private readonly List<IExchange> _exchanges;
    private readonly IRecordDispatcher[] _dispatchers;
    private readonly WatermarkValve _valve;
    private int _endedChannels;
    private volatile int _stopRequest; // 0 none, 1 stop, 2 stop and drain

    public StreamTask(string name, int subtask, InputGate gate, ProcessingTimeService time, List<StreamOperator> operators,
        List<IExchange> exchanges, StreamOperator head, IRecordDispatcher[] dispatchers)
    {
        Name = name;
        Subtask = subtask;
        Gate = gate;
        Time = time;
        _operators = operators;
        _exchanges = exchanges;
        Head = head;
        _dispatchers = dispatchers;
        _valve = new WatermarkValve(gate.Channels.Count);
    }

    public string Name { get; }

    public int Subtask { get; }

    public InputGate Gate { get; }

    public ProcessingTimeService Time { get; }

    /// <summary>The first operator of the chain (a source, or the operator the input channels feed).</summary>
    public StreamOperator Head { get; }

    /// <summary>Operators of the chain, downstream before upstream (the order they are opened in).</summary>
    public IReadOnlyList<StreamOperator> Operators => _operators;

    public bool IsSource => Head is ISourceHead;

    public bool Finished { get; private set; }

    /// <summary>Opens the chain's operators, downstream first, so each is ready before anything is sent to it.</summary>
    public void Open()
    {
        foreach (var op in _operators)
        {
            op.Open();
        }
    }

    /// <summary>Does one unit of work; false when there was nothing to do (the caller may flush and wait).</summary>
    public bool Step()
    {
        Debug.Assert(!Finished);
        var progress = Time.FireDue(_operators);
        if (Head is ISourceHead source)
        {
            var stop = _stopRequest;
            if (stop != 0)
            {
                source.Finish(drain: stop == 2);
                EndChain();
                return true;
            }
            var status = source.Poll();
            if (status == SourceStatus.Finished)
            {
                source.Finish(drain: true);
                EndChain();
                return true;
            }
            return progress | status == SourceStatus.MoreAvailable;
        }
        if (!Gate.TryTake(out var channel, out var message))
        {
            return progress;
        }
        Handle(channel, message);
        return true;
    }

    /// <summary>Sends partial output batches downstream; call before waiting for input.</summary>
    public void FlushOutputs()
    {
        foreach (var exchange in _exchanges)
        {
            exchange.Flush();
        }
    }

    /// <summary>Asks a source task to end its input (with the final watermark when <paramref name="drain"/>). Any thread.</summary>
    public void RequestStop(bool drain)
    {
        _stopRequest = drain ? 2 : 1;
        Gate.WakeUp();
    }

    /// <summary>Closes every operator, also after a failure; returns the first error, if any.</summary>
    public Exception? Close()
    {
        Exception? first = null;
        foreach (var op in _operators)
        {
            try
            {
                op.Close();
            }
            catch (Exception e)
            {
                first ??= e;
            }
        }
        Time.Dispose();
        return first;
    }

    private void Handle(InputChannel channel, in ChannelMessage message)
    {
        switch (message.Kind)
        {
            case MessageKind.Records:
                _dispatchers[channel.InputIndex].Dispatch(message.Batch!);
                Gate.Recycle(channel, message.Batch!);
                break;
            case MessageKind.Watermark:
                if (_valve.OnWatermark(channel.Index, message.Value, out var watermark))
                {
                    Head.ProcessWatermark(watermark);
                }
                break;
            case MessageKind.Idle:
            case MessageKind.Active:
                var wasIdle = _valve.AllIdle;
                var advanced = _valve.OnIdle(channel.Index, message.Kind == MessageKind.Idle, out var merged);
                if (wasIdle != _valve.AllIdle)
                {
                    Head.ProcessIdle(_valve.AllIdle);
                }
                if (advanced)
                {
                    Head.ProcessWatermark(merged);
                }
                break;
            case MessageKind.EndOfInput:
                if (++_endedChannels == Gate.Channels.Count)
                {
                    EndChain();
                }
                break;
        }
    }

    private void EndChain()
    {
        for (var i = _operators.Count - 1; i >= 0; i--)
        {
            _operators[i].EndInput();
        }
        foreach (var exchange in _exchanges)
        {
            exchange.EndOfInput();
        }
        Finished = true;
    }

    public override string ToString() => $"{Name} ({Subtask + 1})";
}

/// <summary>What a task needs of its source operator, independent of the record type.</summary>
internal interface ISourceHead
{
    SourceStatus Poll();

    void Finish(bool drain);
}
