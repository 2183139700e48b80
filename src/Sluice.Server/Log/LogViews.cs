namespace Sluice.Server.Log;

/// <summary>One topic of the embedded log (<c>GET /api/topics</c>, <c>GET /api/topics/{name}</c>).</summary>
/// <param name="Name">The topic's name.</param>
/// <param name="PartitionCount">Its number of partitions.</param>
/// <param name="SizeBytes">Bytes of its segment files, all partitions.</param>
/// <param name="Records">Offsets held over all partitions: the sum of end − start (transaction markers included).</param>
/// <param name="Partitions">Each partition's offsets and size.</param>
/// <param name="Config">Its settings.</param>
internal sealed record TopicView(string Name, int PartitionCount, long SizeBytes, long Records, IReadOnlyList<TopicPartitionView> Partitions, TopicConfigView Config);

/// <summary>One partition of a topic.</summary>
/// <param name="Partition">The partition number.</param>
/// <param name="StartOffset">The first offset still held (retention deletes older ones).</param>
/// <param name="EndOffset">The next offset to be written (the high watermark).</param>
/// <param name="LastStableOffset">The first offset of a still-open transaction, else the end offset: read-committed readers stop here.</param>
/// <param name="SizeBytes">Bytes of its segment files.</param>
/// <param name="Segments">Its number of segment files.</param>
internal sealed record TopicPartitionView(int Partition, long StartOffset, long EndOffset, long LastStableOffset, long SizeBytes, int Segments);

/// <summary>A topic's settings.</summary>
/// <param name="CleanupPolicy"><c>Delete</c> or <c>Compact</c>.</param>
/// <param name="RetentionMs">Records older than this are deleted; null: kept by age.</param>
/// <param name="RetentionBytes">A partition larger than this loses its oldest segments; null: no size limit.</param>
/// <param name="SegmentBytes">Size at which a segment file rolls.</param>
internal sealed record TopicConfigView(string CleanupPolicy, long? RetentionMs, long? RetentionBytes, long SegmentBytes);

/// <summary>One consumer group (<c>GET /api/groups</c>).</summary>
/// <param name="Group">The group's name.</param>
/// <param name="Topics">The topics it committed offsets on, sorted.</param>
/// <param name="TotalLag">The sum of its lag over every partition.</param>
internal sealed record GroupSummaryView(string Group, IReadOnlyList<string> Topics, long TotalLag);

/// <summary>One consumer group with its lag per partition (<c>GET /api/groups/{group}</c>).</summary>
/// <param name="Group">The group's name.</param>
/// <param name="TotalLag">The sum of its lag over every partition.</param>
/// <param name="Partitions">Per topic partition: committed offset, end offset, lag.</param>
internal sealed record GroupView(string Group, long TotalLag, IReadOnlyList<GroupPartitionView> Partitions);

/// <summary>A consumer group's position on one partition.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Committed">The committed offset (the next to read), or null when the group never committed there.</param>
/// <param name="EndOffset">The partition's end offset.</param>
/// <param name="Lag">End offset − committed offset.</param>
internal sealed record GroupPartitionView(string Topic, int Partition, long? Committed, long EndOffset, long Lag);
