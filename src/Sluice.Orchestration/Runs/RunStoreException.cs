namespace Sluice.Orchestration.Runs;

/// <summary>
/// A failure of the run store's contents (a run file that exists but cannot be read back, an update of a run that is
/// not there), as opposed to a bug. An <see cref="InvalidOperationException"/> so callers that caught that before still
/// do; the scheduler matches this type alone, so a bug's <see cref="InvalidOperationException"/> is not mistaken for a
/// store failure and retried forever.
/// </summary>
internal sealed class RunStoreException(string message) : InvalidOperationException(message);
