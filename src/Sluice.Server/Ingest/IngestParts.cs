using System.Globalization;
using System.Text;
using Sluice.Formats;
using Sluice.Log;

namespace Sluice.Server.Ingest;

/// <summary>
/// The accepted records of one request that go to one partition: all of the batch's records (<c>indices</c> null) or
/// those listed. The first carries the request's idempotency header, if any (<see cref="IdempotencyHeader"/>).
/// </summary>
internal sealed class IngestPart(IngestBatch batch, int[]? indices, int count, byte[]? idempotencyHeader) : AppendPart
{
    /// <summary>Bytes a record takes in a batch besides its key, value and headers (the log's format, docs/log.md:
    /// length, offset delta, timestamp, key length, value length, header count).</summary>
    public const int RecordOverhead = 4 + 4 + 8 + 4 + 4 + 2;

    /// <summary>The largest record batch the log accepts (docs/log.md).</summary>
    public const int MaxBatchBytes = 64 * 1024 * 1024;

    private static readonly int s_headerNameBytes = Encoding.UTF8.GetByteCount(IdempotencyHeader.Name);

    /// <inheritdoc />
    public override int RecordCount => count;

    /// <inheritdoc />
    public override int EncodedBytes => EncodedSize(batch, indices, count, idempotencyHeader);

    /// <summary>The encoded size of these records in a batch (bytes), to check against the largest batch.</summary>
    public static int EncodedSize(IngestBatch batch, int[]? indices, int count, byte[]? idempotencyHeader)
    {
        long size = idempotencyHeader is null ? 0 : 2 + s_headerNameBytes + 4 + idempotencyHeader.Length;
        for (var i = 0; i < count; i++)
        {
            ref var slot = ref batch[indices is null ? i : indices[i]];
            size += RecordOverhead + slot.ValueLength + (slot.HasKey ? slot.KeyLength : 0);
        }
        return (int)Math.Min(size, int.MaxValue);
    }

    /// <inheritdoc />
    public override void AddTo(RecordBatchBuilder builder)
    {
        for (var i = 0; i < count; i++)
        {
            ref var slot = ref batch[indices is null ? i : indices[i]];
            if (i == 0 && idempotencyHeader is not null)
            {
                builder.Add(new ProducerRecord(
                    slot.HasKey ? batch.KeyMemoryOf(slot) : null,
                    batch.ValueMemoryOf(slot),
                    slot.TimestampMs,
                    [new LogHeader(IdempotencyHeader.Name, idempotencyHeader)]));
            }
            else if (slot.HasKey)
            {
                builder.Add(batch.KeyOf(slot), batch.ValueOf(slot), slot.TimestampMs);
            }
            else
            {
                builder.AddWithoutKey(batch.ValueOf(slot), slot.TimestampMs);
            }
        }
    }
}

/// <summary>The rejected records of one request, bound for the topic's dead-letter topic as
/// <see cref="DeadLetterEnvelope"/> layout 2 (value = the original bytes; headers from <see cref="DeadLetterEnvelope.Headers"/>:
/// kind <c>parse</c>, job <c>ingest</c>, origin topic, location <c>line N</c>, source <c>http:&lt;topic&gt;</c>).</summary>
internal sealed class DeadLetterPart(IngestBatch batch, string originTopic) : AppendPart
{
    private readonly string _source = "http:" + originTopic;

    /// <inheritdoc />
    public override int RecordCount => batch.Rejected.Count;

    /// <inheritdoc />
    public override int EncodedBytes
    {
        get
        {
            long size = 0;
            foreach (var r in batch.Rejected)
            {
                size += IngestPart.RecordOverhead + r.ValueLength + (Encoding.UTF8.GetMaxByteCount(r.Reason.Length) + (3 * Encoding.UTF8.GetMaxByteCount(originTopic.Length)) + 400);
            }
            return (int)Math.Min(size, int.MaxValue);
        }
    }

    /// <inheritdoc />
    public override void AddTo(RecordBatchBuilder builder)
    {
        foreach (var r in batch.Rejected)
        {
            // Only the headers are taken from the letter; the value is the request body's bytes, not copied.
            var letter = new DeadLetter(_source, string.Create(CultureInfo.InvariantCulture, $"line {r.Line}"), r.Reason, "")
            {
                Job = DeadLetterEnvelope.IngestOrigin,
                Origin = new RecordOrigin(originTopic),
            };
            var envelope = DeadLetterEnvelope.Headers(letter);
            var headers = new LogHeader[envelope.Count];
            for (var i = 0; i < headers.Length; i++)
            {
                headers[i] = new LogHeader(envelope[i].Name, envelope[i].Value);
            }
            builder.Add(new ProducerRecord(null, batch.BodyMemory(r.ValueStart, r.ValueLength), -1, headers));
        }
    }
}
