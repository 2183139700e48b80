using System.Globalization;
using System.Text;
using Sluice.Cli.Jobs;
using Sluice.Connectors.Log;
using Sluice.Log;

namespace Sluice.Cli.Dlq;

/// <summary>
/// Where <c>sluice dlq</c> reads and replays dead letters: the embedded log of <c>--data-dir</c> directly
/// (<see cref="Local"/>), or a running server's REST API (<see cref="Remote"/>, <c>--server</c>). Both go through the
/// same <see cref="DeadLetterQueue"/> (in this process, or in the server's). Failures are
/// <see cref="CommandFailedException"/>s with one sentence. One command uses one instance; not thread-safe.
/// </summary>
internal abstract class DeadLetterBackend : IDisposable
{
    /// <summary>Every dead-letter topic with counts.</summary>
    public abstract Task<DeadLetterTopicList> ListAsync(CancellationToken cancellationToken);

    /// <summary>The dead letters of <paramref name="topic"/> that <paramref name="filter"/> selects, at most <paramref name="max"/>; <c>More</c> says whether more matched.</summary>
    public abstract Task<(IReadOnlyList<DeadLetterRecord> Records, bool More)> SelectAsync(string topic, DeadLetterFilter filter, int max, CancellationToken cancellationToken);

    /// <summary>Counts of the selected dead letters.</summary>
    public abstract Task<DeadLetterStats> StatsAsync(string topic, DeadLetterFilter filter, CancellationToken cancellationToken);

    /// <summary>Replays the dead letters at <paramref name="positions"/> (idempotent; see <see cref="DeadLetterQueue.Replay"/>).</summary>
    public abstract Task<ReplayResult> ReplayAsync(string topic, IReadOnlyList<DeadLetterPosition> positions, string? to, bool dryRun, CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract void Dispose();

    /// <summary>The embedded log: <see cref="DeadLetterQueue"/> over the open log, which this backend owns and closes.</summary>
    internal sealed class Local(PartitionedLog log) : DeadLetterBackend
    {
        private readonly DeadLetterQueue _queue = new(log);

        public override Task<DeadLetterTopicList> ListAsync(CancellationToken cancellationToken) => Run(_queue.ListTopics);

        public override Task<(IReadOnlyList<DeadLetterRecord> Records, bool More)> SelectAsync(string topic, DeadLetterFilter filter, int max, CancellationToken cancellationToken) =>
            Run(() => (_queue.Select(topic, filter, 0, max, null, out var more), more));

        public override Task<DeadLetterStats> StatsAsync(string topic, DeadLetterFilter filter, CancellationToken cancellationToken) => Run(() => _queue.Stats(topic, filter));

        public override Task<ReplayResult> ReplayAsync(string topic, IReadOnlyList<DeadLetterPosition> positions, string? to, bool dryRun, CancellationToken cancellationToken) =>
            Run(() => _queue.Replay(topic, positions, to, dryRun));

        public override void Dispose() => log.Dispose();

        private static Task<T> Run<T>(Func<T> action)
        {
            try
            {
                return Task.FromResult(action());
            }
            catch (DeadLetterQueueException e)
            {
                throw new CommandFailedException(e.Message, e);
            }
        }
    }

    /// <summary>A running server's <c>/api/dlq</c> endpoints (a page holds at most <see cref="DeadLetterQueue.MaxLimit"/> records; replays go in requests of as many).</summary>
    internal sealed class Remote(ServerApi api) : DeadLetterBackend
    {
        public override Task<DeadLetterTopicList> ListAsync(CancellationToken cancellationToken) => api.GetAsync<DeadLetterTopicList>("/api/dlq", cancellationToken);

        public override async Task<(IReadOnlyList<DeadLetterRecord> Records, bool More)> SelectAsync(string topic, DeadLetterFilter filter, int max, CancellationToken cancellationToken)
        {
            var limit = Math.Min(max, DeadLetterQueue.MaxLimit);
            var page = await api.GetAsync<DeadLetterPage>($"/api/dlq/{Uri.EscapeDataString(topic)}?limit={limit}{Query(filter)}", cancellationToken).ConfigureAwait(false);
            return (page.Records, page.More);
        }

        public override Task<DeadLetterStats> StatsAsync(string topic, DeadLetterFilter filter, CancellationToken cancellationToken)
        {
            var query = Query(filter);
            return api.GetAsync<DeadLetterStats>($"/api/dlq/{Uri.EscapeDataString(topic)}/stats{(query.Length == 0 ? "" : "?" + query[1..])}", cancellationToken);
        }

        public override async Task<ReplayResult> ReplayAsync(string topic, IReadOnlyList<DeadLetterPosition> positions, string? to, bool dryRun, CancellationToken cancellationToken)
        {
            var replayed = new List<ReplayedRecord>(positions.Count);
            int appended = 0, skipped = 0;
            var name = topic;
            for (var start = 0; start < positions.Count; start += DeadLetterQueue.MaxLimit)
            {
                var chunk = positions.Skip(start).Take(DeadLetterQueue.MaxLimit).ToList();
                var result = await api.PostAsync<ReplayResult>($"/api/dlq/{Uri.EscapeDataString(topic)}/replay", new ReplayRequest(chunk, to, dryRun), cancellationToken).ConfigureAwait(false);
                replayed.AddRange(result.Replayed);
                appended += result.Appended;
                skipped += result.AlreadyReplayed;
                name = result.Topic;
            }
            return new ReplayResult(name, replayed, dryRun, appended, skipped);
        }

        public override void Dispose() => api.Dispose();

        private static string Query(DeadLetterFilter filter)
        {
            var query = new StringBuilder();
            Add(query, "reason", filter.Reason);
            Add(query, "kind", filter.Kind is { } kind ? Formats.DeadLetterEnvelope.KindName(kind) : null);
            Add(query, "rule", filter.Rule);
            Add(query, "fromTime", filter.FromMs?.ToString(CultureInfo.InvariantCulture));
            Add(query, "toTime", filter.ToMs?.ToString(CultureInfo.InvariantCulture));
            return query.ToString();
        }

        private static void Add(StringBuilder query, string name, string? value)
        {
            if (value is not null)
            {
                query.Append('&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
        }
    }
}
