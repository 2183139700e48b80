using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Log;

namespace Sluice.Server.Log;

/// <summary>
/// The log API, read-only: <c>GET /api/topics</c> and <c>/api/topics/{name}</c> (partitions, offsets, sizes),
/// <c>GET /api/groups</c> and <c>/api/groups/{group}</c> (committed offsets and lag per partition). Figures are read
/// from the live log at the call: each is current, but they are not one consistent cut. Unknown topic or group: 404.
/// </summary>
internal static class LogEndpoints
{
    private const string Tag = "log";

    /// <summary>Registers this feature's services (none: the endpoints read <see cref="ServerContext.Log"/>).</summary>
    public static void AddServices(IServiceCollection services, ServerContext server)
    {
        _ = services;
        _ = server;
    }

    /// <summary>Maps this feature's endpoints.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/topics", (ServerContext server) => Results.Ok(ListTopics(server.Log)))
            .WithTags(Tag).WithSummary("Lists the embedded log's topics: partitions with start and end offsets and sizes.")
            .Produces<IReadOnlyList<TopicView>>();
        endpoints.MapGet("/api/topics/{name}", (string name, ServerContext server) => server.Log.TryGetTopic(name, out var topic)
                ? Results.Ok(View(topic))
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Topic not found", detail: $"The log has no topic '{name}': list the topics with GET /api/topics."))
            .WithTags(Tag).WithSummary("Shows one topic: its partitions' offsets and sizes, and its settings.")
            .Produces<TopicView>().ProducesProblem(StatusCodes.Status404NotFound);
        endpoints.MapGet("/api/groups", (ServerContext server) => Results.Ok(ListGroups(server.Log)))
            .WithTags(Tag).WithSummary("Lists the consumer groups with the topics they read and their total lag.")
            .Produces<IReadOnlyList<GroupSummaryView>>();
        endpoints.MapGet("/api/groups/{group}", (string group, ServerContext server) =>
            {
                if (!server.Log.Groups.ListGroups().Contains(group, StringComparer.Ordinal))
                {
                    return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Group not found",
                        detail: $"The log has no consumer group '{group}' (a group exists once it committed an offset): list the groups with GET /api/groups.");
                }
                var partitions = new List<GroupPartitionView>();
                long total = 0;
                foreach (var lag in server.Log.DescribeGroup(group))
                {
                    partitions.Add(new GroupPartitionView(lag.Topic, lag.Partition, lag.Committed, lag.EndOffset, lag.Lag));
                    total += lag.Lag;
                }
                return Results.Ok(new GroupView(group, total, partitions));
            })
            .WithTags(Tag).WithSummary("Shows one consumer group: committed offset, end offset and lag per partition.")
            .Produces<GroupView>().ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static List<TopicView> ListTopics(PartitionedLog log)
    {
        var topics = new List<TopicView>();
        foreach (var topic in log.ListTopics())
        {
            topics.Add(View(topic));
        }
        return topics;
    }

    private static TopicView View(TopicLog topic)
    {
        var partitions = new List<TopicPartitionView>(topic.PartitionCount);
        long size = 0, records = 0;
        foreach (var p in topic.Partitions)
        {
            var start = p.LogStartOffset;
            var end = p.EndOffset;
            var bytes = p.SizeInBytes;
            partitions.Add(new TopicPartitionView(p.Partition, start, end, p.LastStableOffset, bytes, p.SegmentCount));
            size += bytes;
            records += end - start;
        }
        var config = topic.Config;
        return new TopicView(topic.Name, topic.PartitionCount, size, records, partitions,
            new TopicConfigView(config.CleanupPolicy.ToString(), config.RetentionTime is { } t ? (long)t.TotalMilliseconds : null, config.RetentionBytes, config.SegmentBytes));
    }

    private static List<GroupSummaryView> ListGroups(PartitionedLog log)
    {
        var groups = new List<GroupSummaryView>();
        foreach (var group in log.Groups.ListGroups())
        {
            var topics = new SortedSet<string>(StringComparer.Ordinal);
            long total = 0;
            foreach (var lag in log.DescribeGroup(group))
            {
                topics.Add(lag.Topic);
                total += lag.Lag;
            }
            groups.Add(new GroupSummaryView(group, [.. topics], total));
        }
        return groups;
    }
}
