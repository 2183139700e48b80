using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Sluice.Bench.Cli.Suites;

/// <summary>One case of a comparison bench: its name, the items it processed (records or events), and its seconds.</summary>
/// <param name="Case">The case's name.</param>
/// <param name="Count">Items processed.</param>
/// <param name="Seconds">Wall-clock seconds (the fastest run).</param>
/// <param name="HitRate">The cache hit rate in [0, 1], for cases with a cache; null otherwise.</param>
/// <param name="ServerCpuSeconds">CPU seconds the server the case wrote to spent in the run (the fewest of its runs), for cases measuring a server; null otherwise.</param>
/// <param name="ClientCpuSeconds">CPU seconds this process spent in the run (the fewest of its runs), where measured; null otherwise.</param>
internal sealed record BenchCase(string Case, long Count, double Seconds, double? HitRate = null, double? ServerCpuSeconds = null, double? ClientCpuSeconds = null)
{
    /// <summary>A measured time is positive (a zero would make the rate infinite, which JSON cannot hold).</summary>
    public double Seconds { get; } = Seconds > 0 ? Seconds : throw new ArgumentOutOfRangeException(nameof(Seconds), Seconds, "A case's measured time must be positive.");

    /// <summary>Items per second.</summary>
    public double PerSecond => Count / Seconds;
}

/// <summary>
/// Prints the cases of the comparison benches (<c>score</c>, <c>redis</c>, <c>lookup</c>) one way: a table (case,
/// items, s, items/s, and cache hits and CPU seconds when a case has them) and a ratio line, or the same as JSON
/// (<c>{"cases": [{"case", "&lt;unit&gt;", "seconds", "&lt;unit&gt;PerSecond", "hitRate"?, "serverCpuSeconds"?,
/// "clientCpuSeconds"?}], "ratio"?}</c>).
/// </summary>
internal static class CaseReport
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    /// <summary>Prints <paramref name="cases"/>; returns the exit code 0.</summary>
    /// <param name="cases">The cases, in the order run.</param>
    /// <param name="json">JSON instead of a table.</param>
    /// <param name="unit">What is counted, plural lower case: <c>records</c>, <c>events</c>.</param>
    /// <param name="ratio">The comparison: the case measured, the baseline it is divided by, and how to label the ratio
    /// (<c>sink ÷ raw throughput</c>); null for none.</param>
    public static int Print(IReadOnlyList<BenchCase> cases, bool json, string unit, (string Measured, string Baseline, string Label)? ratio = null)
    {
        double? value = ratio is var (measured, baseline, _)
            ? Find(cases, baseline).Seconds / Find(cases, measured).Seconds
            : null;
        var hits = cases.Any(static c => c.HitRate is not null);
        var cpu = cases.Any(static c => c.ServerCpuSeconds is not null);
        if (json)
        {
            var rows = cases.Select(c =>
            {
                var row = new Dictionary<string, object?> { ["case"] = c.Case, [unit] = c.Count, ["seconds"] = c.Seconds, [unit + "PerSecond"] = c.PerSecond };
                if (hits)
                {
                    row["hitRate"] = c.HitRate;
                }
                if (cpu)
                {
                    row["serverCpuSeconds"] = c.ServerCpuSeconds;
                    row["clientCpuSeconds"] = c.ClientCpuSeconds;
                }
                return row;
            }).ToList();
            var report = new Dictionary<string, object?> { ["cases"] = rows };
            if (value is not null)
            {
                report["ratio"] = value;
            }
            Console.WriteLine(JsonSerializer.Serialize(report, s_json));
            return 0;
        }
        var table = new Table().AddColumns("case", unit, "s", unit + "/s");
        if (hits)
        {
            table.AddColumn("cache hits");
        }
        if (cpu)
        {
            table.AddColumns("server cpu s", "client cpu s");
        }
        foreach (var c in cases)
        {
            List<string> cells = [c.Case, c.Count.ToString("N0", CultureInfo.InvariantCulture), c.Seconds.ToString("F2", CultureInfo.InvariantCulture), c.PerSecond.ToString("N0", CultureInfo.InvariantCulture)];
            if (hits)
            {
                cells.Add(c.HitRate is { } h ? h.ToString("P1", CultureInfo.InvariantCulture) : "—");
            }
            if (cpu)
            {
                cells.Add(c.ServerCpuSeconds is { } server ? server.ToString("F2", CultureInfo.InvariantCulture) : "—");
                cells.Add(c.ClientCpuSeconds is { } client ? client.ToString("F2", CultureInfo.InvariantCulture) : "—");
            }
            table.AddRow([.. cells.Select(Markup.Escape)]);
        }
        AnsiConsole.Write(table);
        if (ratio is var (_, _, label) && value is { } v)
        {
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{label}: {v:F2}")));
        }
        return 0;
    }

    private static BenchCase Find(IReadOnlyList<BenchCase> cases, string name) =>
        cases.FirstOrDefault(c => c.Case == name) ?? throw new InvalidOperationException($"The bench ran no case '{name}' (it ran {string.Join(", ", cases.Select(static c => c.Case))}).");
}
