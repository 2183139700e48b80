using System.Globalization;
using System.Text;
using System.Text.Json;
using Sluice.Examples.Clickstream.Demo;

namespace Sluice.Examples.Medallion;

/// <summary>
/// Silver's parser, in two versions. Version 1 reads <c>amount</c> only as a JSON number; version 2 — the fix deployed
/// after the DLQ showed the upstream writing decimal strings (<c>"12.50"</c>) — reads those too. Everything else is
/// the same: malformed JSON is a <c>parse</c> dead letter, a missing or mistyped field a <c>schema</c> one naming the
/// field; both carry the original bytes and position, so <c>sluice dlq replay</c> appends the line back to <c>orders</c>.
/// Rules (not null, range, accepted values, pattern) are not the parser's job: silver's expectations check them.
/// </summary>
internal sealed class OrderParser(int version) : ProcessFunction<DemoLine, ParsedOrder>
{
    public override void ProcessElement(DemoLine value, ProcessContext context, ICollector<ParsedOrder> output)
    {
        string? field = null;
        string reason;
        var kind = DeadLetterKind.Schema;
        try
        {
            using var json = JsonDocument.Parse(value.Value);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                reason = "the line is not a JSON object";
            }
            else if (!TryString(root, "order_id", out var orderId) || orderId is null)
            {
                (field, reason) = ("order_id", "field 'order_id' is missing or not a string");
            }
            else if (!TryString(root, "customer", out var customer))
            {
                (field, reason) = ("customer", "field 'customer' is not a string");
            }
            else if (!TryString(root, "country", out var country) || country is null)
            {
                (field, reason) = ("country", "field 'country' is missing or not a string");
            }
            else if (!TryAmount(root, out var cents))
            {
                (field, reason) = ("amount", version == 1
                    ? "field 'amount' is missing or not a JSON number (parser version 1)"
                    : "field 'amount' is missing or neither a JSON number nor a decimal string (parser version 2)");
            }
            else if (!root.TryGetProperty("ts", out var ts) || !ts.TryGetInt64(out var tsMs) || tsMs <= 0)
            {
                (field, reason) = ("ts", "field 'ts' is missing or not a positive Unix ms timestamp");
            }
            else
            {
                output.Collect(new ParsedOrder(new SilverOrder(orderId, customer, country, cents, tsMs), new RecordOrigin(value.Topic, value.Partition, value.Offset), value.Value));
                return;
            }
        }
        catch (JsonException e)
        {
            kind = DeadLetterKind.Parse;
            reason = $"malformed JSON: {e.Message}";
        }
        context.Output(DeadLetters.Tag, new DeadLetter(value.Source, $"{value.Topic}/{value.Partition}/{value.Offset}", reason, DeadLetters.Truncate(value.Value), field)
        {
            Kind = kind,
            Operator = $"parse-v{version}",
            Origin = new RecordOrigin(value.Topic, value.Partition, value.Offset),
            IngestTime = value.TimestampMs,
            Original = Encoding.UTF8.GetBytes(value.Value),
        });
    }

    /// <summary>A string or null field; false when present with another type. A missing field reads as null.</summary>
    private static bool TryString(JsonElement root, string name, out string? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }
        if (element.ValueKind != JsonValueKind.String)
        {
            return false;
        }
        value = element.GetString();
        return true;
    }

    private bool TryAmount(JsonElement root, out long cents)
    {
        cents = 0;
        if (!root.TryGetProperty("amount", out var element))
        {
            return false;
        }
        decimal amount;
        if (element.ValueKind == JsonValueKind.Number)
        {
            if (!element.TryGetDecimal(out amount))
            {
                return false;
            }
        }
        else if (version >= 2 && element.ValueKind == JsonValueKind.String
            && decimal.TryParse(element.GetString(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount))
        {
            // The fix: upstream writes some amounts as decimal strings.
        }
        else
        {
            return false;
        }
        cents = (long)decimal.Round(amount * 100m);
        return true;
    }
}
