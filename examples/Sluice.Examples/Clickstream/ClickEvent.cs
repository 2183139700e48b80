namespace Sluice.Examples.Clickstream;

/// <summary>A click-stream event as the seeds describe it.</summary>
public sealed record ClickEvent(string EventId, string UserId, string Page, string Action, double Amount, string Device, long Ts);

/// <summary>Views of one page in one window.</summary>
public sealed record PageCount(string Page, long WindowStart, long WindowEnd, long Views);

/// <summary>One user session.</summary>
public sealed record UserSession(string UserId, long Start, long End, long Events);

/// <summary>Clicks of one user in one sliding window.</summary>
public sealed record UserActivity(string UserId, long WindowStart, long WindowEnd, long Clicks);
