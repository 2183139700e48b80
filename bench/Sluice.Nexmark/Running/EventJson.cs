using System.Text.Json;
using Sluice.Nexmark.Model;

namespace Sluice.Nexmark.Running;

/// <summary>Writes events as JSON lines in the shape of the Flink DDL's row: <c>event_type</c> plus the one nested row that is set.</summary>
public static class EventJson
{
    /// <summary>Writes every event, one per line, to <paramref name="path"/>.</summary>
    public static void Write(string path, IEnumerable<Event> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        using var file = File.Create(path);
        using var buffered = new BufferedStream(file, 1 << 20);
        var options = new JsonWriterOptions { SkipValidation = true };
        using var w = new Utf8JsonWriter(buffered, options);
        foreach (var e in events)
        {
            WriteEvent(w, e);
            w.Flush();
            buffered.WriteByte((byte)'\n');
            w.Reset();
        }
    }

    /// <summary>Writes one event as a JSON object.</summary>
    public static void WriteEvent(Utf8JsonWriter w, in Event e)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteNumber("event_type", (int)e.Kind);
        switch (e.Kind)
        {
            case EventKind.Person:
                var p = e.AsPerson;
                w.WriteStartObject("person");
                w.WriteNumber("id", p.Id);
                w.WriteString("name", p.Name);
                w.WriteString("emailAddress", p.EmailAddress);
                w.WriteString("creditCard", p.CreditCard);
                w.WriteString("city", p.City);
                w.WriteString("state", p.State);
                w.WriteNumber("dateTime", p.DateTime);
                w.WriteString("extra", p.Extra.Span);
                w.WriteEndObject();
                break;
            case EventKind.Auction:
                var a = e.AsAuction;
                w.WriteStartObject("auction");
                w.WriteNumber("id", a.Id);
                w.WriteString("itemName", a.ItemName);
                w.WriteString("description", a.Description);
                w.WriteNumber("initialBid", a.InitialBid);
                w.WriteNumber("reserve", a.Reserve);
                w.WriteNumber("dateTime", a.DateTime);
                w.WriteNumber("expires", a.Expires);
                w.WriteNumber("seller", a.Seller);
                w.WriteNumber("category", a.Category);
                w.WriteString("extra", a.Extra.Span);
                w.WriteEndObject();
                break;
            default:
                var b = e.Bid;
                w.WriteStartObject("bid");
                w.WriteNumber("auction", b.Auction);
                w.WriteNumber("bidder", b.Bidder);
                w.WriteNumber("price", b.Price);
                w.WriteString("channel", b.Channel);
                w.WriteString("url", b.Url);
                w.WriteNumber("dateTime", b.DateTime);
                w.WriteString("extra", b.Extra.Span);
                w.WriteEndObject();
                break;
        }
        w.WriteEndObject();
    }
}
