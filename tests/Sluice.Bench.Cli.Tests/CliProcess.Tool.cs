namespace Sluice.Tests.Shared;

/// <summary>The tool these tests run: <c>sluice-bench</c> (what <c>./sluice bench …</c> and <c>./sluice chaos …</c> start).</summary>
internal static partial class CliProcess
{
    private const string ToolDll = "sluice-bench.dll";
}
