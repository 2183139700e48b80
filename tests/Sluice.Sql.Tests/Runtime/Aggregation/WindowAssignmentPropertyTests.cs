using CsCheck;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;

namespace Sluice.Sql.Tests.Runtime.Aggregation;

/// <summary><see cref="WindowAssignment.Assign"/> against a naive model that tries every possible window start.</summary>
public sealed class WindowAssignmentPropertyTests
{
    private static readonly Gen<WindowSpec> s_specs =
        Gen.Select(Gen.Int[0, 2], Gen.Int[1, 6], Gen.Int[1, 5], Gen.Int[-20, 20]).Select(static t => t.Item1 switch
        {
            0 => new WindowSpec(WindowKind.Tumble, 0, t.Item2 * t.Item3, 0, t.Item4, false),
            1 => new WindowSpec(WindowKind.Hop, 0, t.Item2 * t.Item3, t.Item3, t.Item4, false),
            _ => new WindowSpec(WindowKind.Cumulate, 0, t.Item2 * t.Item3, t.Item3, 0, false),
        });

    // Every start s with s ≤ time < s + size, aligned to the period (size for TUMBLE and CUMULATE, slide for HOP) plus the
    // offset; CUMULATE windows end at each step after s that is past the time. Ordered by end.
    private static List<SqlWindow> Naive(WindowSpec spec, long time)
    {
        var windows = new List<SqlWindow>();
        var period = spec.Kind == WindowKind.Hop ? spec.SlideMillis : spec.SizeMillis;
        for (var start = time - spec.SizeMillis; start <= time; start++)
        {
            if (((start - spec.OffsetMillis) % period + period) % period != 0 || time >= start + spec.SizeMillis)
            {
                continue;
            }
            if (spec.Kind != WindowKind.Cumulate)
            {
                windows.Add(new SqlWindow(start, start + spec.SizeMillis));
                continue;
            }
            for (var end = start + spec.SlideMillis; end <= start + spec.SizeMillis; end += spec.SlideMillis)
            {
                if (time < end)
                {
                    windows.Add(new SqlWindow(start, end));
                }
            }
        }
        return [.. windows.OrderBy(static w => w.End)];
    }

    [Fact]
    public void Assign_AnyTimeAndSpec_TheWindowsTheNaiveModelFinds()
    {
        Gen.Select(s_specs, Gen.Long[-200, 200]).Sample((spec, time) =>
        {
            var destination = new SqlWindow[WindowAssignment.MaxWindowsPerRow(spec)];

            var count = WindowAssignment.Assign(spec, time, destination);

            destination[..count].ToList().ShouldBe(Naive(spec, time), $"{spec} at {time}");
        }, iter: 5_000);
    }

    [Theory]
    [InlineData(-1, -10, 0)]
    [InlineData(0, 0, 10)]
    [InlineData(9, 0, 10)]
    [InlineData(10, 10, 20)]
    public void Assign_TumbleOfTen_TheWindowOfTheTime(long time, long start, long end)
    {
        var destination = new SqlWindow[1];

        WindowAssignment.Assign(new WindowSpec(WindowKind.Tumble, 0, 10, 0, 0, false), time, destination).ShouldBe(1);

        destination[0].ShouldBe(new SqlWindow(start, end));
    }
}
