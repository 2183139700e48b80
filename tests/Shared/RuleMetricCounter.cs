using System.Diagnostics.Metrics;

namespace Sluice.Tests.Shared;

/// <summary>
/// Listens to a data-quality metric (default <c>sluice.quality.rule.failed</c>; meter <c>Sluice</c>) and sums its measurements
/// by rule, keeping only those whose tag <c>tag</c> equals <c>value</c> (a job's name, an operator's name), so tests
/// running in parallel do not see each other's counts. Thread-safe; listens from construction until disposed.
/// </summary>
public sealed class RuleMetricCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _counts = [];

    /// <summary>Starts listening.</summary>
    /// <param name="tag">The tag that selects the measurements (<c>job</c>, <c>operator</c>).</param>
    /// <param name="value">The value it must have.</param>
    /// <param name="instrument">The metric: <c>sluice.quality.rule.failed</c> or <c>sluice.quality.rule.passed</c>.</param>
    public RuleMetricCounter(string tag, string value, string instrument = "sluice.quality.rule.failed")
    {
        var instrumentName = instrument;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Sluice" && instrument.Name == instrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, measurement, tags, _) =>
        {
            string? selected = null, rule = null;
            foreach (var t in tags)
            {
                if (t.Key == tag)
                {
                    selected = (string?)t.Value;
                }
                else if (t.Key == "rule")
                {
                    rule = (string?)t.Value;
                }
            }
            if (selected == value && rule is not null)
            {
                lock (_counts)
                {
                    _counts[rule] = _counts.GetValueOrDefault(rule) + measurement;
                }
            }
        });
        _listener.Start();
    }

    /// <summary>The measurements summed so far, by rule (a copy), after collecting the observable instruments.</summary>
    public Dictionary<string, long> ByRule
    {
        get
        {
            _listener.RecordObservableInstruments();
            lock (_counts)
            {
                return new Dictionary<string, long>(_counts);
            }
        }
    }

    /// <summary>Stops listening.</summary>
    public void Dispose() => _listener.Dispose();
}
