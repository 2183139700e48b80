using System.Buffers;
using System.Globalization;
using System.Text;
using Sluice.Formats;

namespace Sluice;

/// <summary>
/// Routes late records to the dead-letter queue: turns a late side output (<see cref="WindowedStream{TKey, T}.SideOutputLateData"/>,
/// or a process function's late output) into <see cref="DeadLetter"/>s of kind <see cref="DeadLetterKind.Late"/>, to be
/// written with the other dead letters (e.g. <c>ToDeadLetterQueue</c> of the embedded-log connector).
/// </summary>
public static class LateDeadLetters
{
    /// <summary>
    /// Maps each late record to a dead letter of kind <see cref="DeadLetterKind.Late"/>: the original bytes from
    /// <paramref name="serializer"/> (so replay can append the record back to <paramref name="source"/>), its event
    /// time, and a reason naming the event time and the watermark it arrived at. Only late records pay for this.
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="late">The late records.</param>
    /// <param name="source">The topic the records came from (the letters' origin topic and source).</param>
    /// <param name="serializer">Writes a record's key and value bytes, as the source topic holds them.</param>
    /// <param name="name">The operator's name; null = <c>LateDeadLetters</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="source"/> is empty.</exception>
    public static DataStream<DeadLetter> AsLateDeadLetters<T>(this DataStream<T> late, string source, IMessageSerializer<T> serializer, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(late);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentNullException.ThrowIfNull(serializer);
        return late.Process(new ToLetter<T>(source, serializer, name ?? "LateDeadLetters"), name ?? "LateDeadLetters");
    }

    private sealed class ToLetter<T>(string source, IMessageSerializer<T> serializer, string operatorName) : ProcessFunction<T, DeadLetter>
    {
        public override void ProcessElement(T value, ProcessContext context, ICollector<DeadLetter> output)
        {
            var bytes = new ArrayBufferWriter<byte>();
            serializer.TryWriteValue(value, bytes);
            var key = new ArrayBufferWriter<byte>();
            var hasKey = serializer.TryWriteKey(value, key);
            var original = bytes.WrittenSpan.ToArray();
            var timestamp = context.Timestamp;
            var watermark = context.TimerService.CurrentWatermark;
            var reason = string.Create(CultureInfo.InvariantCulture,
                $"The record at event time {timestamp} arrived late, after its window closed (watermark {watermark}).");
            output.Collect(new DeadLetter(source, $"event time {timestamp}", reason, DeadLetters.Truncate(System.Text.Unicode.Utf8.IsValid(original) ? Encoding.UTF8.GetString(original) : Convert.ToBase64String(original)))
            {
                Kind = DeadLetterKind.Late,
                Operator = operatorName,
                Origin = new RecordOrigin(source),
                EventTime = timestamp,
                Original = original,
                OriginalKey = hasKey ? key.WrittenSpan.ToArray() : null,
            });
        }
    }
}
