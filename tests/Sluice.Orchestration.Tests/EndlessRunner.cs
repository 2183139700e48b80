namespace Sluice.Orchestration.Tests;

/// <summary>A job that runs until its attempt is cancelled; signals when it started.</summary>
internal sealed class EndlessRunner : ISqlJobRunner
{
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Cancelled { get; private set; }

    public async Task RunAsync(string statements, TextWriter log, CancellationToken cancellationToken)
    {
        Started.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Cancelled = true;
            throw;
        }
    }
}
