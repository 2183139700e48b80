using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Schemas;

namespace Sluice.Api.Tests.Connectors;

/// <summary>Flink's lookup options and <see cref="LookupOptions.Apply"/>'s retries (the cache is in the lookup contract suite).</summary>
public sealed class LookupOptionsTests
{
    private static readonly Schema s_key = Schema.Parse("id BIGINT NOT NULL");
    private static readonly Schema s_table = Schema.Parse("id BIGINT NOT NULL, v STRING");

    private static LookupOptions From(params (string Key, string Value)[] given) =>
        LookupOptions.From(ConfigOptions.Validate(OptionOwnerKind.Connector, "test", LookupOptions.Definitions, given.ToDictionary(g => g.Key, g => g.Value)));

    [Fact]
    public void From_Nothing_FlinksDefaults()
    {
        var options = From();

        options.ShouldBe(new LookupOptions { Cache = LookupCacheMode.None, MaxRows = null, ExpireAfterWrite = null, ExpireAfterAccess = null, CacheMissingKey = true, MaxRetries = 3 });
    }

    [Fact]
    public void From_EveryOption_ReadsEach()
    {
        var options = From(("lookup.cache", "partial"), ("lookup.partial-cache.max-rows", "500"), ("lookup.partial-cache.expire-after-write", "1 min"),
            ("lookup.partial-cache.expire-after-access", "30 s"), ("lookup.partial-cache.cache-missing-key", "false"), ("lookup.max-retries", "0"));

        options.ShouldBe(new LookupOptions
        {
            Cache = LookupCacheMode.Partial,
            MaxRows = 500,
            ExpireAfterWrite = TimeSpan.FromMinutes(1),
            ExpireAfterAccess = TimeSpan.FromSeconds(30),
            CacheMissingKey = false,
            MaxRetries = 0,
        });
    }

    [Fact]
    public void Apply_FailsFewerTimesThanTheRetries_ReturnsTheRows()
    {
        var inner = new FlakySource(failures: 2);
        using var source = From(("lookup.max-retries", "2")).Apply(inner, "dim");
        source.Open(new LookupContext(0, 1, TimeProvider.System));

        source.Lookup(Row.Of(s_key, 4L)).ShouldBe([Row.Of(s_table, 4L, "found")]);
        inner.Calls.ShouldBe(3);
    }

    [Fact]
    public void Apply_FailsMoreTimesThanTheRetries_ThrowsNamingTableKeyAndAttempts()
    {
        var inner = new FlakySource(failures: 3);
        using var source = From(("lookup.max-retries", "2")).Apply(inner, "dim");
        source.Open(new LookupContext(0, 1, TimeProvider.System));

        var error = Should.Throw<IOException>(() => source.Lookup(Row.Of(s_key, 4L)));

        error.Message.ShouldBe("The lookup of key +I[4] in table 'dim' failed after 3 attempt(s) (lookup.max-retries = 2): failure 3");
        inner.Calls.ShouldBe(3);
    }

    [Fact]
    public void Apply_BadKey_IsNotRetried()
    {
        var inner = new FlakySource(failures: 0);
        using var source = From().Apply(inner, "dim");
        source.Open(new LookupContext(0, 1, TimeProvider.System));

        Should.Throw<ArgumentException>(() => source.Lookup(Row.Of(s_table, 4L, "x")));
        inner.Calls.ShouldBe(1);
    }

    [Fact]
    public void Dispose_DisposesTheWrappedSourceOnce()
    {
        var inner = new FlakySource(failures: 0);
        var source = From().Apply(inner, "dim");

        source.Dispose();
        source.Dispose();

        inner.Disposals.ShouldBe(1);
    }

    /// <summary>Fails its first lookups, then finds one row per key.</summary>
    private sealed class FlakySource(int failures) : ILookupSource
    {
        public int Calls { get; private set; }

        public int Disposals { get; private set; }

        public Schema KeySchema => s_key;

        public Schema Schema => s_table;

        public void Open(LookupContext context)
        {
        }

        public IReadOnlyList<Row> Lookup(Row key)
        {
            Calls++;
            if (!key.Schema.Equals(s_key))
            {
                throw new ArgumentException("not a key");
            }
            if (Calls <= failures)
            {
                throw new IOException("failure " + Calls);
            }
            return [Row.Of(s_table, key.GetInt64(0), "found")];
        }

        public void Dispose() => Disposals++;
    }
}
