namespace Sluice.Examples.Clickstream.Demo;

/// <summary>Bronze: a raw input line as it arrived, with where it came from.</summary>
public sealed record BronzeClick(int Partition, long Offset, long Ts, string Raw);

/// <summary>Gold: views of a page in a 1-minute window (upserted by page and window start).</summary>
public sealed record PageMinute(string Page, DateTime WindowStart, DateTime WindowEnd, long Views, long UniqueUsers);

/// <summary>Gold: one user session (15-minute inactivity gap).</summary>
public sealed record SessionRow(string UserId, DateTime SessionStart, DateTime SessionEnd, long Events);

/// <summary>Gold: the latest features of a user (upserted by user).</summary>
public sealed record UserFeatures(string UserId, double Spend10m, long Events10m, DateTime LastSeen);

/// <summary>An event that arrived after its windows were closed (older than the watermark minus the allowed lateness).</summary>
public sealed record LateEvent(string EventId, string UserId, string Page, DateTime Ts, DateTime WatermarkAtArrival);

