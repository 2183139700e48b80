using System.Globalization;
using System.Reflection;
using Sluice.Connectors;
using Sluice.Connectors.Nexmark;
using Sluice.Nexmark.Model;
using Sluice.Nexmark.Queries;
using Sluice.Nexmark.Results;
using Sluice.Schemas;
using Sluice.Sql.Session;

namespace Sluice.Nexmark.Sql;

/// <summary>
/// The queries as the nexmark/nexmark Flink SQL text (ddl_gen.sql, ddl_views.sql, qN.sql, embedded verbatim) run by
/// a <see cref="SqlSession"/>. Only the <c>${…}</c> placeholders are substituted and <c>'blackhole'</c> is swapped
/// for <see cref="CollectConnectorFactory"/>, which materializes the sink's changelog into the same result rows and
/// checksum as the other engines. The <c>datagen</c> table reads the events given to <see cref="Prepare"/>, converted
/// to rows there (outside the measured time). Result rows differ from the DataStream engine's in two places, by the
/// SQL's own definition: q5's sink has no window start (its rows carry 0 there, so its checksum differs), and q7's
/// SQL writes <c>B.price</c> into the column named bidder and <c>B.bidder</c> into price (read back in SQL's order).
/// Not thread-safe: one query at a time.
/// </summary>
public sealed class SqlEngine : IQueryEngine
{
    // Per event array (by reference): the runner prepares the warm-up events too, and neither run may convert again.
    private readonly Dictionary<Event[], PreparedEvents> _prepared = new(ReferenceEqualityComparer.Instance);

    /// <summary>Events per second of event time substituted for <c>${TPS}</c> (the generator's rate; informational).</summary>
    public int EventsPerSecond { get; init; } = new Generation.GeneratorConfig().EventsPerSecond;

    /// <inheritdoc />
    public NexmarkEngine Engine => NexmarkEngine.Sql;

    /// <inheritdoc />
    public bool Supports(NexmarkQuery query) => true;

    /// <summary>The SQL script run for <paramref name="query"/>: the query file with its placeholders substituted and its sink swapped.</summary>
    public string Script(NexmarkQuery query, long eventCount) => Substitute(Load(query.Name() + ".sql"), eventCount);

    /// <inheritdoc />
    public double Prepare(Event[] events, int parallelism)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (_prepared.ContainsKey(events))
        {
            return 0;
        }
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var extras = new string[events.Length];
        var slices = new ExtraString[events.Length];
        for (var i = 0; i < events.Length; i++)
        {
            slices[i] = PreparedEventsConnectorFactory.Extra(events[i]);
            extras[i] = slices[i].ToString();
        }
        _prepared[events] = new PreparedEvents(extras, new ExtraStrings(extras, slices));
        return watch.Elapsed.TotalSeconds;
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Sluice SQL rejects the query while planning it (the message says why).</exception>
    public QueryOutput Run(NexmarkQuery query, Event[] events, QueryRunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Prepare(events, settings.Parallelism);
        var prepared = _prepared[events];
        var collect = new CollectConnectorFactory { Target = Sink(query, settings.KeepRows, prepared.Slices) };
        var registry = new ConnectorRegistry()
            .Register(new PreparedEventsConnectorFactory(events, prepared.Extras))
            .Register(collect);
        var session = SqlSession.Create(new SqlSessionOptions
        {
            Connectors = registry,
            FunctionRegistrations = [static f => f.Register("COUNT_CHAR", typeof(CountChar))],
            // The run's state backend, as the DataStream engine's jobs get it (--state-backend).
            ConfigureJob = options => options with { StateBackend = settings.StateBackend ?? Sluice.State.HeapStateBackend.Instance },
        });
        session.Execute(string.Create(CultureInfo.InvariantCulture, $"SET 'parallelism.default' = '{settings.Parallelism}'"));
        if (settings.CheckpointInterval is { } interval)
        {
            session.Execute(string.Create(CultureInfo.InvariantCulture, $"SET 'execution.checkpointing.interval' = '{(long)interval.TotalMilliseconds} ms'"));
        }
        session.Execute(Substitute(Load("ddl_gen.sql"), events.LongLength));
        session.Execute(Substitute(Load("ddl_views.sql"), events.LongLength));
        IReadOnlyList<SqlStatementResult> results;
        try
        {
            results = session.Execute(Script(query, events.LongLength));
        }
        catch (Sluice.Sql.SqlException e)
        {
            // Rejected while planning (as Flink rejects q6): the query is unsupported on this engine, not failed.
            throw new NotSupportedException($"{query.Name()} is not supported by Sluice SQL: {e.Message}", e);
        }
        foreach (var result in results)
        {
            if (result is SqlJobResult job)
            {
                job.Job.Completion.GetAwaiter().GetResult();
            }
        }
        return ((IResultSink)collect.Target).ToOutput();
    }

    private string Substitute(string sql, long eventCount) => sql
        .Replace("${TPS}", EventsPerSecond.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("${EVENTS_NUM}", eventCount.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("${PERSON_PROPORTION}", "1", StringComparison.Ordinal)
        .Replace("${AUCTION_PROPORTION}", "3", StringComparison.Ordinal)
        .Replace("${BID_PROPORTION}", "46", StringComparison.Ordinal)
        .Replace("${NEXMARK_TABLE}", "datagen", StringComparison.Ordinal)
        .Replace("'connector' = 'blackhole'", "'connector' = '" + CollectConnectorFactory.Name + "'", StringComparison.Ordinal);

    private static string Load(string file)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("nexmark/" + file)
            ?? throw new InvalidOperationException($"The nexmark SQL file '{file}' is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static Sinks.ISink<Row> Sink(NexmarkQuery query, bool keep, ExtraStrings extras) => query switch
    {
        NexmarkQuery.Q0 => new ChangelogCollectorSink<BidRow>(r => new BidRow(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), Millis(r.GetTimestamp(3)), Extra(extras, r.GetString(4))), keep),
        NexmarkQuery.Q1 => new ChangelogCollectorSink<CurrencyRow>(r => new CurrencyRow(r.GetInt64(0), r.GetInt64(1), (long)(r.GetDecimal(2) * 1000m), Millis(r.GetTimestamp(3)), Extra(extras, r.GetString(4))), keep),
        NexmarkQuery.Q2 => new ChangelogCollectorSink<AuctionPriceRow>(static r => new AuctionPriceRow(r.GetInt64(0), r.GetInt64(1)), keep),
        NexmarkQuery.Q3 => new ChangelogCollectorSink<LocalItemRow>(static r => new LocalItemRow(r.GetString(0)!, r.GetString(1)!, r.GetString(2)!, r.GetInt64(3)), keep),
        NexmarkQuery.Q4 => new ChangelogCollectorSink<CategoryAverageRow>(static r => new CategoryAverageRow(r.GetInt64(0), r.GetInt64(1)), keep),
        NexmarkQuery.Q5 => new ChangelogCollectorSink<HotItemRow>(static r => new HotItemRow(r.GetInt64(0), r.GetInt64(1), 0), keep),
        // q7's SQL selects B.auction, B.price, B.bidder into (auction, bidder, price).
        NexmarkQuery.Q7 => new ChangelogCollectorSink<BidRow>(r => new BidRow(r.GetInt64(0), r.GetInt64(2), r.GetInt64(1), Millis(r.GetTimestamp(3)), Extra(extras, r.GetString(4))), keep),
        NexmarkQuery.Q8 => new ChangelogCollectorSink<NewUserRow>(static r => new NewUserRow(r.GetInt64(0), r.GetString(1)!, Millis(r.GetTimestamp(2))), keep),
        NexmarkQuery.Q11 => new ChangelogCollectorSink<SessionRow>(static r => new SessionRow(r.GetInt64(0), r.GetInt64(1), Millis(r.GetTimestamp(2)), Millis(r.GetTimestamp(3))), keep),
        NexmarkQuery.Q12 => new ChangelogCollectorSink<ProcessingTimeCountRow>(static r => new ProcessingTimeCountRow(r.GetInt64(0), r.GetInt64(1), Millis(r.GetTimestamp(2)), Millis(r.GetTimestamp(3))), keep),
        _ => throw new ArgumentOutOfRangeException(nameof(query), query, "Unknown query."),
    };

    /// <summary>The slice a result's extra string came from (an unknown string, which no query makes, maps to an empty slice).</summary>
    private static ExtraString Extra(ExtraStrings extras, string? text) => text is null ? default : extras.Find(text);

    private static long Millis(DateTime timestamp) => (timestamp.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    /// <inheritdoc />
    public void Dispose() => _prepared.Clear();

    private sealed record PreparedEvents(string[] Extras, ExtraStrings Slices);

    /// <summary>
    /// The pool slice of every prepared row's extra string. The queries pass the rows' strings through, so the sink
    /// finds them by reference; a string made anew is found by its content. A sink writer reads the rows of a
    /// stateless query in event order, so each thread first looks a few events past the last one it found, comparing
    /// references in the event-ordered array: as cheap as the DataStream sink's slice, which carries its offset. A
    /// lookup in a table of every event's string would read the string's header and two table entries at random
    /// addresses: cache misses that cost more than the whole query per row (half of q0's time). Read-only once
    /// prepared, so writers on any thread may look up.
    /// </summary>
    private sealed class ExtraStrings
    {
        private const int Lookahead = 16;

        [ThreadStatic]
        private static int s_next; // the index after this thread's last find: a hint only, checked before use

        private readonly string[] _extras;
        private readonly ExtraString[] _slices;
        private readonly Dictionary<string, int> _byReference = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<string, int> _byContent = new(StringComparer.Ordinal);

        /// <summary>Indexes <paramref name="extras"/>, whose string <c>i</c> is the text of <paramref name="slices"/>[i].</summary>
        public ExtraStrings(string[] extras, ExtraString[] slices)
        {
            _extras = extras;
            _slices = slices;
            for (var i = 0; i < extras.Length; i++)
            {
                _byReference.TryAdd(extras[i], i);
                _byContent.TryAdd(extras[i], i);
            }
        }

        public ExtraString Find(string text)
        {
            var extras = _extras;
            var i = s_next;
            // Every empty extra is the one "" object: only the table tells them apart (by the first one's slice).
            // Compared by reference, not by length: reading a string's length is a cache miss per row (a third of the
            // task thread in q0), which the DataStream sink, carrying the slice, never pays.
            var end = ReferenceEquals(text, string.Empty) ? 0 : Math.Min(extras.Length, i + Lookahead);
            for (; (uint)i < (uint)end; i++)
            {
                if (ReferenceEquals(extras[i], text))
                {
                    s_next = i + 1;
                    return _slices[i];
                }
            }
            if (_byReference.TryGetValue(text, out i))
            {
                s_next = i + 1;
                return _slices[i];
            }
            return _byContent.TryGetValue(text, out i) ? _slices[i] : default;
        }
    }
}

/// <summary>q14's user function (a Java ScalarFunction in nexmark/nexmark), registered as COUNT_CHAR.</summary>
public static class CountChar
{
    /// <summary>How many times the first character of <paramref name="c"/> occurs in <paramref name="s"/>; 0 when either is null or empty.</summary>
    public static long Eval(string? s, string? c)
    {
        if (string.IsNullOrEmpty(s) || string.IsNullOrEmpty(c))
        {
            return 0;
        }
        var count = 0L;
        foreach (var ch in s)
        {
            if (ch == c[0])
            {
                count++;
            }
        }
        return count;
    }
}
