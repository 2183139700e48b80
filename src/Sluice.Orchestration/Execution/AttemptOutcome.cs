namespace Sluice.Orchestration.Execution;

/// <summary>What one attempt (or sensor poke) came to.</summary>
/// <param name="Success">The task (or the sensor's condition) succeeded.</param>
/// <param name="Error">The failure in one sentence, null on success; for a sensor poke whose condition did not hold, why.</param>
/// <param name="ExitCode">A shell task's exit code, else null.</param>
/// <param name="Permanent">
/// A sensor poke that can never succeed as configured (an unknown topic or partition, no probe in this host): the
/// attempt fails now instead of poking until its timeout (retries still apply).
/// </param>
internal readonly record struct AttemptOutcome(bool Success, string? Error, int? ExitCode = null, bool Permanent = false)
{
    public static AttemptOutcome Ok(int? exitCode = null) => new(true, null, exitCode);

    public static AttemptOutcome Fail(string error, int? exitCode = null) => new(false, error, exitCode);

    public static AttemptOutcome FailNow(string error) => new(false, error, null, Permanent: true);
}
