using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Sluice.Orchestration.Tests;

/// <summary>Collects the measurements of one scheduler counter tagged with one DAG.</summary>
internal static class DagMeters
{
    /// <summary>Starts listening to <paramref name="instrument"/>; each measurement tagged <c>dag</c> = <paramref name="dagId"/> goes into <paramref name="into"/>.</summary>
    public static MeterListener Listen(string instrument, string dagId, ConcurrentBag<long> into)
    {
        var meter = new MeterListener();
        meter.InstrumentPublished = (published, listener) =>
        {
            if (published.Name == instrument)
            {
                listener.EnableMeasurementEvents(published);
            }
        };
        meter.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "dag" && (string?)tag.Value == dagId)
                {
                    into.Add(value);
                }
            }
        });
        meter.Start();
        return meter;
    }
}
