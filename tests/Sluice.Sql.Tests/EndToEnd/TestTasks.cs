namespace Sluice.Sql.Tests;

/// <summary>Bounds how long a test waits for a job: a hang fails the test instead of the run.</summary>
internal static class TestTasks
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    public static Task<T> OrTimeout<T>(this Task<T> task) => task.WaitAsync(s_timeout);

    public static Task OrTimeout(this Task task) => task.WaitAsync(s_timeout);
}
