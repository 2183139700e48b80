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
internal sealed record CdcSlotSample(long CheckpointId, string Slot, bool Streaming, ulong Position, ulong Previous, ulong Confirmed, ulong Restart)
{
    private const string Prefix = "slot ";

    /// <summary>
    /// The line the child prints: <c>slot &lt;checkpoint&gt; &lt;slot&gt; stream|snapshot position=&lt;lsn&gt;
    /// previous=&lt;lsn&gt; confirmed=&lt;lsn&gt; restart=&lt;lsn&gt;</c>, LSNs as PostgreSQL writes them (<c>0/1A2B3C8</c>).
    /// </summary>
    public string ToLine() => string.Create(CultureInfo.InvariantCulture,
        $"{Prefix}{CheckpointId} {Slot} {(Streaming ? "stream" : "snapshot")} position={Text(Position)} previous={Text(Previous)} confirmed={Text(Confirmed)} restart={Text(Restart)}");

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
        if (parts.Length != 8)
        {
            throw new FormatException($"Not a slot sample (8 fields): '{line}'.");
        }
        return new CdcSlotSample(long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2], parts[3] == "stream",
            Value(parts[4], "position"), Value(parts[5], "previous"), Value(parts[6], "confirmed"), Value(parts[7], "restart"));

        ulong Value(string part, string name) => part.StartsWith(name + "=", StringComparison.Ordinal)
            ? (ulong)NpgsqlLogSequenceNumber.Parse(part[(name.Length + 1)..])
            : throw new FormatException($"Field '{name}' expected in slot sample '{line}'.");
    }

    /// <summary>
    /// What is wrong with the slot at this checkpoint, or null: its confirmed position must lie between the previous
    /// completed checkpoint's and this one's — never past this checkpoint (WAL a restore from it needs would be
    /// recycled), and never behind the previous one (the slot would pin WAL for more than one checkpoint interval).
    /// </summary>
    public string? Problem()
    {
        if (!Streaming || Position == 0)
        {
            return null; // During the snapshot the slot stays at its consistent point.
        }
        if (Confirmed > Position)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"slot {Slot} confirmed {Text(Confirmed)}, past checkpoint {CheckpointId}'s position {Text(Position)}: a restore from it would miss changes");
        }
        if (Previous > 0 && Confirmed < Previous)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"slot {Slot} confirmed only {Text(Confirmed)} at checkpoint {CheckpointId}, behind the previous checkpoint's {Text(Previous)}: more than one checkpoint interval of WAL pinned");
        }
        return null;
    }

    /// <summary>An LSN as PostgreSQL writes it.</summary>
    public static string Text(ulong lsn) => new NpgsqlLogSequenceNumber(lsn).ToString();
}
