using System.Buffers;
using Confluent.Kafka;
using Sluice.Formats;
using Sluice.Sinks;

namespace Sluice.Connectors.Kafka;

/// <summary>
/// One subtask of a <see cref="KafkaSink{T}"/>. At-least-once: produces with an idempotent producer; every barrier
/// and the end of input flush, so a checkpoint completes only after its records are acknowledged. Exactly-once:
/// produces into a transaction of the sink's <see cref="KafkaTransactionPool"/>, begun at the first record after a
/// barrier and prepared (flushed) at the next one; the coordinator commits it once that checkpoint completes. The first
/// delivery error is raised by the next <see cref="Write"/>/<see cref="Flush"/>/<see cref="PrepareCommit"/>. Called
/// from the subtask's thread only.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
internal sealed class KafkaSinkWriter<T> : ITwoPhaseSinkWriter<T>
{
    private readonly KafkaSinkOptions _options;
    private readonly IMessageSerializer<T> _serializer;
    private readonly ArrayBufferWriter<byte> _key = new(256);
    private readonly ArrayBufferWriter<byte> _value = new(4096);
    private readonly IProducer<byte[]?, byte[]?>? _producer;
    private readonly KafkaTransactionPool? _transactions;
    private readonly int _subtask;
    private readonly Action<DeliveryReport<byte[]?, byte[]?>> _onDelivery;
    private readonly string _describe;
    private KafkaTransactionPool.Slot? _slot;
    private long _previousCheckpoint;
    private Exception? _deliveryError;
    private bool _disposed;

    internal KafkaSinkWriter(KafkaSink<T> sink, SinkContext context)
    {
        _options = sink.Options;
        _serializer = sink.Serializer;
        _subtask = context.SubtaskIndex;
        _onDelivery = OnDelivery;
        _describe = $"Kafka sink '{context.OperatorName}' (topic '{_options.Topic}', subtask {context.SubtaskIndex})";
        if (sink.Transactions is { } transactions)
        {
            _transactions = transactions;
            _previousCheckpoint = transactions.RestoredCheckpointId;
            transactions.WriterOpened();
        }
        else
        {
            var clientLog = KafkaClientLog.ForJob(context.LoggerFactory, context.OperatorName, context.SubtaskIndex, context.JobName, context.JobId);
            _producer = new ProducerBuilder<byte[]?, byte[]?>(KafkaProducers.ProducerConfig(sink.Connection, _options.ProducerProperties, _options.Partitioner))
                .SetLogHandler((_, m) => clientLog.Write(m))
                .Build();
        }
    }

    /// <inheritdoc />
    /// <exception cref="KafkaSinkException">An earlier record could not be delivered, or a transaction could not begin.</exception>
    public void Write(T value, long timestamp)
    {
        if (!_serializer.ProducesMessage(value))
        {
            return;
        }
        _key.ResetWrittenCount();
        _value.ResetWrittenCount();
        // The producer keeps the arrays until delivery: one exact-size copy each, as Confluent.Kafka needs.
        var message = new Message<byte[]?, byte[]?>
        {
            Key = _serializer.TryWriteKey(value, _key) ? _key.WrittenSpan.ToArray() : null,
            Value = _serializer.TryWriteValue(value, _value) ? _value.WrittenSpan.ToArray() : null,
            Headers = _serializer.GetHeaders(value) is { Count: > 0 } headers ? ToKafkaHeaders(headers) : null,
            Timestamp = timestamp == EventTime.NoTimestamp ? Timestamp.Default : new Timestamp(timestamp, TimestampType.CreateTime),
        };
        if (_transactions is { } transactions)
        {
            _slot ??= transactions.Begin(_subtask);
            _slot.Writer.Produce(_options.Topic, message);
            return;
        }
        ThrowIfDeliveryFailed();
        try
        {
            KafkaProducers.ProduceWithBackpressure(_producer!, _options.Topic, message, _onDelivery);
        }
        catch (KafkaException e)
        {
            throw new KafkaSinkException($"{_describe} could not send a record: {e.Error.Reason} ({e.Error.Code}).", e);
        }
    }

    private static Headers ToKafkaHeaders(IReadOnlyList<MessageHeader> headers)
    {
        var converted = new Headers();
        for (var i = 0; i < headers.Count; i++)
        {
            converted.Add(headers[i].Name, headers[i].Value);
        }
        return converted;
    }

    /// <inheritdoc />
    public void WriteBatch(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps)
    {
        for (var i = 0; i < values.Length; i++)
        {
            Write(values[i], timestamps.IsEmpty ? EventTime.NoTimestamp : timestamps[i]);
        }
    }

    /// <summary>Waits until every record written so far is acknowledged (in exactly-once mode the transaction stays open).</summary>
    /// <exception cref="KafkaSinkException">A record could not be delivered or the flush timed out.</exception>
    public void Flush()
    {
        if (_transactions is not null)
        {
            _slot?.Writer.Flush();
            return;
        }
        if (_producer!.Flush(_options.Timeout) > 0)
        {
            throw new KafkaSinkException($"{_describe} still had records in flight after waiting {_options.Timeout}; check that the brokers are reachable.");
        }
        ThrowIfDeliveryFailed();
    }

    /// <summary>
    /// At barrier <paramref name="checkpointId"/>: exactly-once, prepares the open transaction and returns the
    /// subtask's committable (see <see cref="KafkaTransactionPool"/>); at-least-once, flushes and returns an empty one.
    /// </summary>
    /// <exception cref="KafkaSinkException">A record could not be delivered or the flush timed out.</exception>
    public byte[] PrepareCommit(long checkpointId)
    {
        if (_transactions is not { } transactions)
        {
            Flush();
            return [];
        }
        if (_slot is { } slot)
        {
            _slot = null;
            // ≤ the checkpoint that will cover it, even for the final snapshot (whose id is long.MaxValue here).
            transactions.Prepare(slot, Math.Min(checkpointId, _previousCheckpoint + 1));
        }
        _previousCheckpoint = Math.Max(_previousCheckpoint, checkpointId);
        return transactions.Committable(_subtask);
    }

    /// <summary>Closes the producer. Records not flushed may be lost (the job failed or was cancelled); an open, unprepared transaction is aborted.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_transactions is { } transactions)
        {
            var slot = _slot;
            _slot = null;
            transactions.WriterClosed(slot);
            return;
        }
        _producer!.Dispose();
    }

    private void OnDelivery(DeliveryReport<byte[]?, byte[]?> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.CompareExchange(ref _deliveryError,
                new KafkaSinkException($"{_describe} could not deliver a record to {report.TopicPartition}: {report.Error.Reason} ({report.Error.Code}).", new KafkaException(report.Error)), null);
        }
    }

    private void ThrowIfDeliveryFailed()
    {
        if (Volatile.Read(ref _deliveryError) is { } error)
        {
            throw error;
        }
    }
}
