using System.Reflection;

namespace Sluice;

/// <summary>
/// Makes the per-subtask instances of user functions. Each subtask gets a shallow copy (memberwise clone) of the
/// instance given to the API, so fields assigned in <c>Open</c> (state handles, buffers) are per subtask, while
/// objects created in the constructor are shared — functions document that they create mutable objects in Open.
/// </summary>
internal static class FunctionCopies
{
    private static readonly MethodInfo s_memberwiseClone =
        typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!;

    /// <summary>Returns a factory producing shallow copies of <paramref name="prototype"/>.</summary>
    public static Func<T> PerSubtask<T>(T prototype) where T : class
    {
        ArgumentNullException.ThrowIfNull(prototype);
        return () => (T)s_memberwiseClone.Invoke(prototype, null)!;
    }
}
