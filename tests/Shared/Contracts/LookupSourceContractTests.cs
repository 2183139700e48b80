using Sluice.Connectors;
using Sluice.Schemas;

namespace Sluice.Tests.Shared.Contracts;

/// <summary>
/// What every <see cref="ILookupSource"/> must do (after Flink's <c>LookupTableSourceTestSuite</c> idea): rows by key,
/// nothing for a missing or NULL key, a composite key, keys of the wrong schema rejected, and Flink's <c>lookup.*</c>
/// cache options (<see cref="LookupOptions"/>) with virtual time. A connector's fixture subclass stores rows of
/// <see cref="TableSchema"/> in its external system and creates lookup sources over them.
/// </summary>
public abstract class LookupSourceContractTests : IDisposable
{
    /// <summary>The table every test uses: <c>id BIGINT, region STRING, name STRING, score DOUBLE</c>.</summary>
    protected static readonly Schema TableSchema = Schema.Parse("id BIGINT NOT NULL, region STRING NOT NULL, name STRING, score DOUBLE");

    private readonly List<ILookupSource> _created = [];
    private readonly VirtualClock _clock = new();

    /// <summary>Replaces the external table's contents with <paramref name="rows"/> (rows of <see cref="TableSchema"/>).</summary>
    protected abstract void Store(params Row[] rows);

    /// <summary>
    /// Creates (not opens) a lookup source of the table by <paramref name="keyColumns"/>, with <paramref name="lookupOptions"/>
    /// (<c>lookup.*</c> keys) added to the connector's own options.
    /// </summary>
    protected abstract ILookupSource Create(IReadOnlyList<string> keyColumns, IReadOnlyDictionary<string, string> lookupOptions);

    /// <inheritdoc />
    public virtual void Dispose()
    {
        foreach (var source in _created)
        {
            source.Dispose();
        }
        GC.SuppressFinalize(this);
    }

    private static Row R(long id, string region, string? name, double? score) => Row.Of(TableSchema, id, region, name, score);

    private ILookupSource Open(string[] keys, params (string Key, string Value)[] options)
    {
        var source = Create(keys, options.ToDictionary(o => o.Key, o => o.Value));
        _created.Add(source);
        source.Open(new LookupContext(0, 1, _clock));
        return source;
    }

    private static Row Key(ILookupSource source, params object?[] values) => Row.Of(source.KeySchema, values);

    [Fact]
    public void Lookup_StoredKey_ReturnsEveryRowOfTheKey()
    {
        Store(R(1, "eu", "a", 1.5), R(2, "us", "b", null), R(1, "us", "c", 3.0));
        var source = Open(["id"]);

        source.KeySchema.ShouldBe(Schema.Parse("id BIGINT NOT NULL"));
        source.Lookup(Key(source, 1L)).OrderBy(r => r.GetString(2)).ShouldBe([R(1, "eu", "a", 1.5), R(1, "us", "c", 3.0)]);
        source.Lookup(Key(source, 2L)).ShouldBe([R(2, "us", "b", null)]);
    }

    [Fact]
    public void Lookup_MissingKey_ReturnsNothing()
    {
        Store(R(1, "eu", "a", 1.5));
        var source = Open(["id"]);

        source.Lookup(Key(source, 7L)).ShouldBeEmpty();
    }

    [Fact]
    public void Lookup_KeyWithANullField_ReturnsNothing()
    {
        Store(R(1, "eu", null, 1.5));
        var source = Open(["name"]);

        source.Lookup(Key(source, [null])).ShouldBeEmpty("in SQL, NULL equals nothing, not even the NULL stored");
    }

    [Fact]
    public void Lookup_CompositeKey_MatchesEveryKeyColumn()
    {
        Store(R(1, "eu", "a", 1.0), R(1, "us", "b", 2.0), R(2, "eu", "c", 3.0));
        var source = Open(["region", "id"]);

        source.Lookup(Key(source, "eu", 1L)).ShouldBe([R(1, "eu", "a", 1.0)]);
        source.Lookup(Key(source, "us", 2L)).ShouldBeEmpty();
    }

    [Fact]
    public void Lookup_KeyOfAnotherSchema_ThrowsArgumentException()
    {
        Store(R(1, "eu", "a", 1.0));
        var source = Open(["id"]);

        Should.Throw<ArgumentException>(() => source.Lookup(Row.Of(Schema.Parse("id INT NOT NULL"), 1)));
    }

    [Fact]
    public void Lookup_NoCache_SeesEveryChangeOfTheTable()
    {
        Store(R(1, "eu", "a", 1.0));
        var source = Open(["id"]);
        source.Lookup(Key(source, 1L)).ShouldBe([R(1, "eu", "a", 1.0)]);

        Store(R(1, "eu", "changed", 1.0));

        source.Lookup(Key(source, 1L)).ShouldBe([R(1, "eu", "changed", 1.0)]);
    }

    [Fact]
    public void Lookup_PartialCacheExpireAfterWrite_ServesTheCachedRowsUntilTheyExpire()
    {
        Store(R(1, "eu", "a", 1.0));
        var source = Open(["id"], ("lookup.cache", "PARTIAL"), ("lookup.partial-cache.expire-after-write", "10 s"));
        source.Lookup(Key(source, 1L)).ShouldBe([R(1, "eu", "a", 1.0)]);
        Store(R(1, "eu", "changed", 1.0));

        _clock.Advance(TimeSpan.FromSeconds(9));
        source.Lookup(Key(source, 1L)).ShouldBe([R(1, "eu", "a", 1.0)], "cached 9 s ago");
        _clock.Advance(TimeSpan.FromSeconds(1));
        source.Lookup(Key(source, 1L)).ShouldBe([R(1, "eu", "changed", 1.0)], "expired 10 s after the read, though used since");
    }

    [Fact]
    public void Lookup_PartialCacheExpireAfterAccess_KeepsRowsInUse()
    {
        Store(R(1, "eu", "a", 1.0));
        var source = Open(["id"], ("lookup.cache", "PARTIAL"), ("lookup.partial-cache.expire-after-access", "10 s"));
        source.Lookup(Key(source, 1L));
        Store(R(1, "eu", "changed", 1.0));

        _clock.Advance(TimeSpan.FromSeconds(9));
        source.Lookup(Key(source, 1L)).ShouldBe([R(1, "eu", "a", 1.0)]);
        _clock.Advance(TimeSpan.FromSeconds(9));
        source.Lookup(Key(source, 1L)).ShouldBe([R(1, "eu", "a", 1.0)], "used 9 s ago");
        _clock.Advance(TimeSpan.FromSeconds(10));
        source.Lookup(Key(source, 1L)).ShouldBe([R(1, "eu", "changed", 1.0)], "unused for 10 s");
    }

    [Fact]
    public void Lookup_PartialCacheMaxRows_DropsTheLeastRecentlyUsedKey()
    {
        Store(R(1, "eu", "a", 1.0), R(2, "eu", "b", 2.0), R(3, "eu", "c", 3.0));
        var source = Open(["id"], ("lookup.cache", "PARTIAL"), ("lookup.partial-cache.max-rows", "2"));
        source.Lookup(Key(source, 1L));
        source.Lookup(Key(source, 2L));
        source.Lookup(Key(source, 1L)); // 2 is now the least recently used
        Store(R(1, "eu", "a2", 1.0), R(2, "eu", "b2", 2.0), R(3, "eu", "c2", 3.0));

        source.Lookup(Key(source, 3L)).ShouldBe([R(3, "eu", "c2", 3.0)], "not cached yet; caching it drops key 2");

        source.Lookup(Key(source, 1L)).ShouldBe([R(1, "eu", "a", 1.0)], "still cached");
        source.Lookup(Key(source, 2L)).ShouldBe([R(2, "eu", "b2", 2.0)], "dropped, so read again");
    }

    [Theory]
    [InlineData("true", 0)]
    [InlineData("false", 1)]
    public void Lookup_PartialCacheMissingKey_CachedOnlyWhenAsked(string cacheMissingKey, int rowsSeenAfterInsert)
    {
        Store(R(1, "eu", "a", 1.0));
        var source = Open(["id"], ("lookup.cache", "PARTIAL"), ("lookup.partial-cache.max-rows", "100"), ("lookup.partial-cache.cache-missing-key", cacheMissingKey));
        source.Lookup(Key(source, 5L)).ShouldBeEmpty();

        Store(R(1, "eu", "a", 1.0), R(5, "eu", "new", 1.0));

        source.Lookup(Key(source, 5L)).Count.ShouldBe(rowsSeenAfterInsert);
    }

    [Fact]
    public void Dispose_Twice_DoesNothingTheSecondTime()
    {
        Store(R(1, "eu", "a", 1.0));
        var source = Open(["id"]);

        source.Dispose();

        Should.NotThrow(source.Dispose);
    }

    /// <summary>A clock the tests move by hand (no sleeping).</summary>
    private sealed class VirtualClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
