using System.Globalization;
using NpgsqlTypes;

namespace Sluice.Bench.Cli.Cdc;

/// <summary>
/// One slot sampled by the CDC kill harness's child when checkpoint <see cref="CheckpointId"/> completed, before the
/// next checkpoint could start. LSNs are PostgreSQL's 64-bit WAL positions; 0 means none.
/// </summary>
/// <param name="CheckpointId">The checkpoint that just completed.</param>
/// <param name="Slot">The replication slot.</param>
/// <param name="Streaming">Whether the checkpointed position is past the initial snapshot.</param>
/// <param name="Position">The LSN the checkpoint holds for the slot's source (a restore streams from it).</param>
/// <param name="Previous">The LSN of the previous completed checkpoint (or of the restored one), 0 when none.</param>
/// <param name="Confirmed">The slot's <c>confirmed_flush_lsn</c>: PostgreSQL may recycle the WAL before it.</param>
/// <param name="Restart">The slot's <c>restart_lsn</c>: the oldest WAL PostgreSQL keeps for it.</param>
/// <param name="AtMs">When the child sampled it (its clock, Unix ms).</param>
internal sealed record CdcSlotSample(long CheckpointId, string Slot, bool Streaming, ulong Position, ulong Previous, ulong Confirmed, ulong Restart, long AtMs)
{
    private const string Prefix = "slot ";

    /// <summary>
    /// The line the child prints: <c>slot &lt;checkpoint&gt; &lt;slot&gt; stream|snapshot position=&lt;lsn&gt;
    /// previous=&lt;lsn&gt; confirmed=&lt;lsn&gt; restart=&lt;lsn&gt; at=&lt;unix ms&gt;</c>, LSNs as PostgreSQL writes them (<c>0/1A2B3C8</c>).
    /// </summary>
    public string ToLine() => string.Create(CultureInfo.InvariantCulture,
        $"{Prefix}{CheckpointId} {Slot} {(Streaming ? "stream" : "snapshot")} position={Text(Position)} previous={Text(Previous)} confirmed={Text(Confirmed)} restart={Text(Restart)} at={AtMs}");

    /// <summary>Reads a line of <see cref="ToLine"/>; null when the line is something else.</summary>
    /// <exception cref="FormatException">The line starts like a sample but is not one.</exception>
    public static CdcSlotSample? TryParse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!line.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var parts = line.Split(' ');
        if (parts.Length != 9 || !parts[8].StartsWith("at=", StringComparison.Ordinal))
        {
            throw new FormatException($"Not a slot sample (9 fields, the last at=<ms>): '{line}'.");
        }
        return new CdcSlotSample(long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2], parts[3] == "stream",
            Value(parts[4], "position"), Value(parts[5], "previous"), Value(parts[6], "confirmed"), Value(parts[7], "restart"),
            long.Parse(parts[8].AsSpan(3), CultureInfo.InvariantCulture));

        ulong Value(string part, string name) => part.StartsWith(name + "=", StringComparison.Ordinal)
            ? (ulong)NpgsqlLogSequenceNumber.Parse(part[(name.Length + 1)..])
            : throw new FormatException($"Field '{name}' expected in slot sample '{line}'.");
    }

    /// <summary>
    /// What is wrong with the slot at this checkpoint, or null: its confirmed position must never lie past this
    /// completed checkpoint's (WAL a restore from it needs could be recycled).
    /// </summary>
    public string? Problem()
    {
        if (!Streaming || Position == 0 || Confirmed <= Position)
        {
            return null; // During the snapshot the slot stays at its consistent point.
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"slot {Slot} confirmed {Text(Confirmed)}, past checkpoint {CheckpointId}'s position {Text(Position)}: a restore from it would miss changes");
    }

    /// <summary>
    /// What is wrong with the slot's lag, or null: <paramref name="older"/> is the same slot's sample at the latest
    /// checkpoint of the same run that completed at least one checkpoint interval before this one; the slot must have
    /// been confirmed up to that checkpoint's position by now — never behind the last completed checkpoint by more than
    /// one interval.
    /// </summary>
    public string? LagProblem(CdcSlotSample older)
    {
        ArgumentNullException.ThrowIfNull(older);
        if (!older.Streaming || older.Position == 0 || Confirmed >= older.Position)
        {
            return null;
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"slot {Slot} confirmed only {Text(Confirmed)} at checkpoint {CheckpointId}, behind checkpoint {older.CheckpointId}'s {Text(older.Position)} completed {AtMs - older.AtMs} ms earlier: more than one checkpoint interval of WAL pinned");
    }

    /// <summary>An LSN as PostgreSQL writes it.</summary>
    public static string Text(ulong lsn) => new NpgsqlLogSequenceNumber(lsn).ToString();
}
