using Confluent.Kafka;
using Sluice.Formats;

namespace Sluice.Connectors.Kafka;

/// <summary>Reads Confluent.Kafka's <see cref="Headers"/> (passed as the view's header state) for a <see cref="MessageView"/>. Stateless.</summary>
internal sealed class KafkaHeaderAccessor : IMessageHeaderAccessor
{
    public static KafkaHeaderAccessor Instance { get; } = new();

    public int Count(ReadOnlySpan<byte> encoded, object? state) => ((Headers)state!).Count;

    public bool TryGet(ReadOnlySpan<byte> encoded, object? state, string name, out ReadOnlySpan<byte> value)
    {
        var headers = (Headers)state!;
        for (var i = headers.Count - 1; i >= 0; i--)
        {
            var header = headers[i];
            if (string.Equals(header.Key, name, StringComparison.Ordinal))
            {
                value = header.GetValueBytes();
                return true;
            }
        }
        value = default;
        return false;
    }

    public IReadOnlyList<MessageHeader> Copy(ReadOnlySpan<byte> encoded, object? state)
    {
        var headers = (Headers)state!;
        var copy = new MessageHeader[headers.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = new MessageHeader(headers[i].Key, headers[i].GetValueBytes());
        }
        return copy;
    }
}
