using System.CommandLine;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Sluice.Log;

namespace Sluice.Cli.Log;

/// <summary>
/// <c>sluice log consume &lt;topic&gt;</c>: prints record values, one per line and byte for byte, from every partition
/// up to the current end, then commits the group's offsets (<c>--group</c>).
/// <list type="bullet">
/// <item>The group commits only after every printed line reached standard output: when the reader closes it early
/// (<c>| head -n 2</c>) nothing is committed. A pipe buffers up to 64 KiB, so a reader that exits after reading less
/// than that without closing early cannot be told apart from one that read everything.</item>
/// <item>Damaged data: the intact records before it are printed and committed, then the error names file, offsets and
/// the repair command, and the exit code is 1.</item>
/// </list>
/// Standard output is written through its file descriptor, not <see cref="Console.Out"/>: .NET's console stream hides
/// a closed pipe (EPIPE), which would make the commit above unsafe.
/// </summary>
internal static class ConsumeCommand
{
    public static Command Create()
    {
        var topic = new Argument<string>("topic") { Description = "Topic to read." };
        var group = new Option<string?>("--group") { Description = "Consumer group: start at its committed offsets and commit what was printed." }
            .MustSatisfy(g => !string.IsNullOrWhiteSpace(g), "must name a group");
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Without a committed offset, start at the earliest record (default: only new records)." };
        var max = new Option<int?>("--max") { Description = "Stop after this many records (at least 1)." }.MustBeAtLeast(1);
        var uncommitted = new Option<bool>("--read-uncommitted") { Description = "Also show records of open and aborted transactions." };
        var consume = new Command("consume", "Print record values (one per line) from all partitions, then exit at the end of the data.")
        {
            topic, group, fromBeginning, max, uncommitted,
        };
        consume.SetAction(r => LogCommands.Run(
            r,
            log =>
            {
                using var stdout = new OutputStream(new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 64 * 1024));
                return Consume(
                    log,
                    log.GetTopic(r.GetValue(topic)!),
                    r.GetValue(group),
                    r.GetValue(fromBeginning),
                    r.GetValue(max) ?? int.MaxValue,
                    r.GetValue(uncommitted) ? IsolationLevel.ReadUncommitted : IsolationLevel.ReadCommitted,
                    stdout);
            },
            readOnly: true));
        return consume;
    }

    /// <summary>Prints up to <paramref name="max"/> values to <paramref name="output"/> and commits what was printed;
    /// returns the exit code. A failed read of the log propagates (exit 1); only a failed write ends quietly.</summary>
    internal static int Consume(PartitionedLog log, TopicLog topic, string? group, bool fromBeginning, int max, IsolationLevel isolation, OutputStream output)
    {
        var positions = new List<TopicPartitionOffset>();
        LogCorruptionException? damage = null;
        long printed = 0;
        int remaining = max;
        using var result = new FetchResult();
        try
        {
            foreach (PartitionLog p in topic.Partitions)
            {
                long? committed = group is null ? null : log.Groups.GetCommittedOffset(group, topic.Name, p.Partition);
                long offset = Math.Max(committed ?? (fromBeginning ? p.LogStartOffset : p.EndOffset), p.LogStartOffset);
                try
                {
                    while (remaining > 0)
                    {
                        p.Fetch(offset, new FetchOptions(Math.Min(remaining, 10_000), Isolation: isolation), result);
                        foreach (LogRecordView record in result)
                        {
                            output.Write(record.Value);
                            output.WriteByte((byte)'\n');
                        }

                        printed += result.RecordCount;
                        remaining -= result.RecordCount;
                        if (result.NextOffset == offset)
                        {
                            break;
                        }

                        offset = result.NextOffset;
                    }
                }
                catch (LogCorruptionException e)
                {
                    damage = e;
                }

                positions.Add(new TopicPartitionOffset(topic.Name, p.Partition, offset));
                if (damage is not null)
                {
                    break;
                }
            }

            output.Flush();
        }
        catch (OutputFailedException e)
        {
            // The reader closed standard output (EPIPE) or it failed: what was "written" may never have been read.
            Console.Error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"sluice: standard output was closed after about {printed} record(s) ({e.InnerException!.Message.TrimEnd('.')}){(group is null ? "" : $"; group '{group}' was not committed")}."));
            return 0;
        }

        if (group is not null)
        {
            log.Groups.Commit(group, positions);
        }

        if (damage is not null)
        {
            throw new CommandFailedException(
                $"{damage.Message}{(group is null ? "" : $" Group '{group}' committed up to the damage.")}",
                damage);
        }

        return 0;
    }

    /// <summary>Standard output whose write failures (a closed pipe, a full disk) surface as
    /// <see cref="OutputFailedException"/>, so they cannot be mistaken for a failed read of the log.</summary>
    internal sealed class OutputStream(Stream inner) : IDisposable
    {
        public void Write(ReadOnlySpan<byte> bytes)
        {
            try
            {
                inner.Write(bytes);
            }
            catch (IOException e)
            {
                throw new OutputFailedException(e);
            }
        }

        public void WriteByte(byte value)
        {
            try
            {
                inner.WriteByte(value);
            }
            catch (IOException e)
            {
                throw new OutputFailedException(e);
            }
        }

        public void Flush()
        {
            try
            {
                inner.Flush();
            }
            catch (IOException e)
            {
                throw new OutputFailedException(e);
            }
        }

        public void Dispose()
        {
            try
            {
                inner.Dispose();
            }
            catch (IOException)
            {
                // Flushing the rest into a closed pipe: already reported by the failed write or flush before it.
            }
        }
    }

    /// <summary>Writing to standard output failed.</summary>
    internal sealed class OutputFailedException(IOException inner) : Exception(inner.Message, inner);
}
