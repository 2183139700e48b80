using Confluent.Kafka;
using Sluice.Connectors.Kafka.Serialization;
using Sluice.Sinks;

namespace Sluice.Connectors.Kafka;

/// <summary>
/// One subtask of a <see cref="KafkaSink{T}"/>. At-least-once: produces with an idempotent producer and flushes on
/// <see cref="Flush"/>. Exactly-once: a <see cref="KafkaTransactionalWriter"/> (<c>{prefix}-{subtask}</c>) whose
/// transaction begins with the first record and commits on <see cref="Flush"/> (end of input); checkpoint barriers
/// will drive it once they exist (issue 4). The first delivery error is raised by the next
/// <see cref="Write"/>/<see cref="Flush"/>. Called from the subtask's thread only.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public sealed class KafkaSinkWriter<T> : ISinkWriter<T>
{
    private readonly KafkaSinkOptions _options;
    private readonly IKafkaSerializer<T> _serializer;
    private readonly IProducer<byte[]?, byte[]?>? _producer;
    private readonly KafkaTransactionalWriter? _transactional;
    private readonly Action<DeliveryReport<byte[]?, byte[]?>> _onDelivery;
    private readonly string _describe;
    private Exception? _deliveryError;
    private long _delivered;

    internal KafkaSinkWriter(KafkaSink<T> sink, SinkContext context)
    {
        _options = sink.Options;
        _serializer = sink.Serializer;
        _onDelivery = OnDelivery;
        _describe = $"Kafka sink '{context.OperatorName}' (topic '{_options.Topic}', subtask {context.SubtaskIndex})";
        if (_options.DeliveryGuarantee == KafkaDeliveryGuarantee.ExactlyOnce)
        {
            _transactional = new KafkaTransactionalWriter(sink.Connection, _options.TransactionalIdPrefix!, context.SubtaskIndex,
                _options.ProducerProperties, _options.Timeout, _options.Partitioner);
            try
            {
                _transactional.InitTransactions();
            }
            catch
            {
                _transactional.Dispose();
                throw;
            }
        }
        else
        {
            _producer = new ProducerBuilder<byte[]?, byte[]?>(KafkaProducers.ProducerConfig(sink.Connection, _options.ProducerProperties, _options.Partitioner))
                .SetLogHandler((_, m) => KafkaConnectionOptions.WriteLog(m))
                .Build();
        }
    }

    /// <summary>Records acknowledged by the brokers so far (at-least-once mode). Thread-safe.</summary>
    public long DeliveredCount => Interlocked.Read(ref _delivered);

    /// <summary>The transactional writer in exactly-once mode, else null.</summary>
    public KafkaTransactionalWriter? Transactional => _transactional;

    /// <inheritdoc />
    /// <exception cref="KafkaSinkException">An earlier record could not be delivered.</exception>
    public void Write(T value, long timestamp)
    {
        var message = new Message<byte[]?, byte[]?>
        {
            Key = _serializer.SerializeKey(value),
            Value = _serializer.SerializeValue(value),
            Headers = _serializer.SerializeHeaders(value),
            Timestamp = timestamp == EventTime.NoTimestamp ? Timestamp.Default : new Timestamp(timestamp, TimestampType.CreateTime),
        };
        if (_transactional is { } transactional)
        {
            if (!transactional.InTransaction)
            {
                transactional.BeginTransaction();
            }
            transactional.Produce(_options.Topic, message);
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

    /// <inheritdoc />
    public void WriteBatch(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps)
    {
        for (var i = 0; i < values.Length; i++)
        {
            Write(values[i], timestamps.IsEmpty ? EventTime.NoTimestamp : timestamps[i]);
        }
    }

    /// <summary>
    /// Waits until every record written so far is acknowledged (at-least-once), or pre-commits and commits the open
    /// transaction (exactly-once).
    /// </summary>
    /// <exception cref="KafkaSinkException">A record could not be delivered, the flush timed out, or the commit failed.</exception>
    public void Flush()
    {
        if (_transactional is { } transactional)
        {
            if (transactional.InTransaction)
            {
                transactional.PreCommit(checkpointId: 0);
                transactional.Commit();
            }
            return;
        }
        if (_producer!.Flush(_options.Timeout) > 0)
        {
            throw new KafkaSinkException($"{_describe} still had records in flight after waiting {_options.Timeout}; check that the brokers are reachable.");
        }
        ThrowIfDeliveryFailed();
    }

    /// <summary>Closes the producer. Records not flushed may be lost (the job failed or was cancelled); an open transaction is aborted.</summary>
    public void Dispose()
    {
        if (_transactional is { } transactional)
        {
            try
            {
                transactional.Abort();
            }
            catch (KafkaSinkException)
            {
                // Already failed or fenced: the next writer with this transactional id aborts the transaction anyway.
            }
            transactional.Dispose();
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
        else
        {
            Interlocked.Increment(ref _delivered);
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
