namespace Sluice.Tests.Shared;

/// <summary>The tool these tests run: the <c>sluice</c> command.</summary>
internal static partial class CliProcess
{
    private const string ToolDll = "sluice.dll";
}
