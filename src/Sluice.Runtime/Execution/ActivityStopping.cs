using System.Diagnostics;

namespace Sluice.Runtime.Execution;

/// <summary>Ends the runtime's activities without touching the caller's current activity.</summary>
internal static class ActivityStopping
{
    /// <summary>
    /// Stops <paramref name="activity"/> and leaves <see cref="Activity.Current"/> as it was: <see cref="Activity.Stop"/>
    /// would set it to whatever was current when the activity started, yet the runtime's activities span threads (a job
    /// started by a REST request ends on a task thread) and are never made current.
    /// </summary>
    public static void StopKeepingCurrent(this Activity activity)
    {
        var current = Activity.Current;
        activity.Stop();
        Activity.Current = current;
    }
}
