using Sluice.Sql.Planning;

namespace Sluice.Sql.Runtime;

/// <summary>A window [<see cref="Start"/>, <see cref="End"/>) in ms since the epoch; its rowtime is <c>End - 1</c>.</summary>
internal readonly record struct SqlWindow(long Start, long End);

/// <summary>
/// Which windows of a TUMBLE, HOP or CUMULATE window TVF a row time belongs to: a pure function, the same for every
/// key and subtask. SESSION windows depend on the other rows of their key and are assigned by the session operator.
/// Thread-safe.
/// </summary>
internal static class WindowAssignment
{
    /// <summary>Checks that <paramref name="spec"/> describes windows Sluice can assign.</summary>
    /// <exception cref="SqlException">
    /// A size, slide, step or gap that is not positive, or a HOP size that is not a multiple of its slide (a CUMULATE size
    /// not a multiple of its step) — Flink's window aggregation rejects those too.
    /// </exception>
    public static void Validate(WindowSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var what = spec.Kind == WindowKind.Session ? "gap" : "size";
        if (spec.SizeMillis <= 0)
        {
            throw new SqlException($"The {what} of window {spec} must be positive.");
        }
        if (spec.Kind is WindowKind.Hop or WindowKind.Cumulate)
        {
            var step = spec.Kind == WindowKind.Hop ? "slide" : "step";
            if (spec.SlideMillis <= 0)
            {
                throw new SqlException($"The {step} of window {spec} must be positive.");
            }
            if (spec.SizeMillis % spec.SlideMillis != 0)
            {
                throw new SqlException($"The size of window {spec} must be a whole multiple of its {step}.");
            }
        }
    }

    /// <summary>The most windows one row belongs to: 1 for TUMBLE and SESSION, size / slide for HOP, size / step for CUMULATE.</summary>
    public static int MaxWindowsPerRow(WindowSpec spec) =>
        spec.Kind is WindowKind.Hop or WindowKind.Cumulate ? checked((int)(spec.SizeMillis / spec.SlideMillis)) : 1;

    /// <summary>
    /// Writes the windows that contain <paramref name="time"/> (ms) into <paramref name="destination"/> in order of
    /// their ends, earliest first, and returns how many. TUMBLE: the window of <c>size</c> aligned to <c>offset</c>;
    /// HOP: the size / slide windows whose starts are aligned to <c>slide</c> (plus offset); CUMULATE: the windows
    /// from the start of the <c>size</c>-aligned period to each later multiple of <c>step</c> past the time.
    /// </summary>
    /// <exception cref="ArgumentException">A SESSION spec, or <paramref name="destination"/> shorter than <see cref="MaxWindowsPerRow"/>.</exception>
    public static int Assign(WindowSpec spec, long time, Span<SqlWindow> destination) => spec.Kind switch
    {
        WindowKind.Tumble => AssignTumble(spec, time, destination),
        WindowKind.Hop => AssignHop(spec, time, destination),
        WindowKind.Cumulate => AssignCumulate(spec, time, destination),
        _ => throw new ArgumentException($"Window {spec} is assigned per key by the session operator.", nameof(spec)),
    };

    private static int AssignTumble(WindowSpec spec, long time, Span<SqlWindow> destination)
    {
        var start = time - FloorMod(time - spec.OffsetMillis, spec.SizeMillis);
        destination[0] = new SqlWindow(start, start + spec.SizeMillis);
        return 1;
    }

    private static int AssignHop(WindowSpec spec, long time, Span<SqlWindow> destination)
    {
        var count = MaxWindowsPerRow(spec);
        var lastStart = time - FloorMod(time - spec.OffsetMillis, spec.SlideMillis);
        for (var i = 0; i < count; i++)
        {
            var start = lastStart - ((count - 1 - i) * spec.SlideMillis);
            destination[i] = new SqlWindow(start, start + spec.SizeMillis);
        }
        return count;
    }

    private static int AssignCumulate(WindowSpec spec, long time, Span<SqlWindow> destination)
    {
        var start = time - FloorMod(time - spec.OffsetMillis, spec.SizeMillis);
        var steps = MaxWindowsPerRow(spec);
        var first = ((time - start) / spec.SlideMillis) + 1;
        var written = 0;
        for (var j = first; j <= steps; j++)
        {
            destination[written++] = new SqlWindow(start, start + (j * spec.SlideMillis));
        }
        return written;
    }

    /// <summary>
    /// The slice of a HOP window that holds <paramref name="time"/>: the <c>slide</c>-long interval aligned to the
    /// slide (plus offset). The windows containing the time are exactly those containing its slice: the one ending at
    /// the slice's end and the next <c>size / slide − 1</c>, each a slide later.
    /// </summary>
    /// <exception cref="ArgumentException">Not a HOP spec.</exception>
    public static SqlWindow SliceOf(WindowSpec spec, long time)
    {
        if (spec.Kind != WindowKind.Hop)
        {
            throw new ArgumentException($"Only a HOP window is cut into slices, not {spec}.", nameof(spec));
        }
        var start = time - FloorMod(time - spec.OffsetMillis, spec.SlideMillis);
        return new SqlWindow(start, start + spec.SlideMillis);
    }

    private static long FloorMod(long value, long divisor)
    {
        var remainder = value % divisor;
        return remainder < 0 ? remainder + divisor : remainder;
    }
}
