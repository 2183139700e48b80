using Sluice.Connectors.Redis.Sinks;
using Sluice.Schemas;

namespace Sluice.Connectors.Redis.Tests;

/// <summary>The Redis sink names what it writes for lineage as <c>redis://host:port</c> / <c>{db}.{key prefix}</c>, never with the password or user.</summary>
public sealed class RedisLineageTests
{
    private static readonly Schema s_schema = Schema.Parse("user_id BIGINT NOT NULL, clicks BIGINT");

    [Fact]
    public void GetLineageDatasets_Sink_NamesTheFirstEndpointDatabaseAndKeyPrefixWithoutSecrets()
    {
        using var sink = RedisSink.ForRows(new RedisSinkOptions { Configuration = "Cache.Example:6380,redis-2:6380,user=app,password=s3cret,defaultDatabase=3", KeyPattern = "user:{user_id}" }, s_schema);

        var dataset = sink.GetLineageDatasets().ShouldHaveSingleItem();

        (dataset.Namespace, dataset.Name).ShouldBe(("redis://cache.example:6380", "3.user:"));
        dataset.Facets.Schema!.Fields.Select(f => f.Name).ShouldBe(["user_id", "clicks"]);
        (dataset.Namespace + dataset.Name).ShouldNotContain("s3cret");
        (dataset.Namespace + dataset.Name).ShouldNotContain("app");
    }

    [Fact]
    public void GetLineageDatasets_PatternStartingWithAPlaceholderAndNoPort_IsTheWholePatternOnDefaults()
    {
        using var sink = RedisSink.ForRows(new RedisSinkOptions { Configuration = "localhost", KeyPattern = "{user_id}" }, s_schema);

        var dataset = sink.GetLineageDatasets().ShouldHaveSingleItem();

        (dataset.Namespace, dataset.Name).ShouldBe(("redis://localhost:6379", "0.{user_id}"));
    }
}
