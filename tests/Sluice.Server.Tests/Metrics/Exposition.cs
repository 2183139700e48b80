using System.Globalization;

namespace Sluice.Server.Tests.Metrics;

/// <summary>One sample of a Prometheus text exposition: the series' name, its labels and its value.</summary>
internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>A small reader of the Prometheus text format (0.0.4), enough for the tests' assertions.</summary>
internal static class Exposition
{
    /// <summary>The samples of <paramref name="text"/>, in order (comments skipped).</summary>
    public static List<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            string name;
            string rest;
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (brace >= 0 && brace < space)
            {
                name = line[..brace];
                var close = line.LastIndexOf('}');
                foreach (var pair in SplitLabels(line[(brace + 1)..close]))
                {
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    labels[pair[..eq]] = pair[(eq + 2)..^1];
                }
                rest = line[(close + 1)..].Trim();
            }
            else
            {
                name = line[..space];
                rest = line[(space + 1)..].Trim();
            }
            var value = rest.Split(' ')[0];
            samples.Add(new Sample(name, labels, value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(value, CultureInfo.InvariantCulture),
            }));
        }
        return samples;
    }

    /// <summary>The metric families a page declares (<c># TYPE name kind</c>).</summary>
    public static Dictionary<string, string> Families(string text)
    {
        var families = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                families[parts[2]] = parts[3].Trim();
            }
        }
        return families;
    }

    private static IEnumerable<string> SplitLabels(string labels)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] == '"' && (i == 0 || labels[i - 1] != '\\'))
            {
                quoted = !quoted;
            }
            else if (labels[i] == ',' && !quoted)
            {
                yield return labels[start..i];
                start = i + 1;
            }
        }
        if (start < labels.Length)
        {
            yield return labels[start..];
        }
    }
}
