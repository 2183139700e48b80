using System.Diagnostics;
using System.Globalization;

namespace Sluice.Cli.Demo;

/// <summary>
/// The demo's crash point for the kill tests: with <c>SLUICE_FAULT=input:&lt;lines&gt;</c> the demo kills itself
/// (SIGKILL — no finally blocks, no flushing: a real crash) right after the input batch that brings the topic
/// <c>clicks</c> to at least <c>lines</c> lines is durable, so a test can interrupt the input phase at a known point
/// without sleeping. Unset or another phase (the normal case): no callback at all. See docs/operations.md.
/// </summary>
internal static class DemoInputFault
{
    /// <summary>The fault phase this class handles.</summary>
    public const string Phase = "input";

    /// <summary>The <see cref="Examples.Clickstream.Demo.DemoOptions.InputAppended"/> callback the environment asks for, or null.</summary>
    public static Action<long>? FromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable("SLUICE_FAULT");
        if (value?.Split(':') is not [Phase, var count] || !long.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var lines))
        {
            return null;
        }
        return appended =>
        {
            if (appended >= lines)
            {
                Console.Error.WriteLine($"fault injected: input at {appended} lines");
                Console.Error.Flush();
                Process.GetCurrentProcess().Kill();
            }
        };
    }
}
