namespace Sluice.Cli.Tests;

/// <summary>
/// The installed <c>sluice</c> tool ships no benchmarks and no kill harness: <c>sluice bench …</c> and
/// <c>sluice chaos …</c> say in one sentence where they live (the repository's <c>sluice-bench</c> tool), and neither
/// BenchmarkDotNet nor the bench projects are among its dependencies.
/// </summary>
public sealed class BenchToolPointerTests
{
    [Theory]
    [InlineData("bench")]
    [InlineData("bench", "nexmark", "--query", "q5", "--events", "1000")]
    [InlineData("chaos", "--kills", "3")]
    public void Main_BenchOrChaos_SaysWhereTheyLiveInOneSentence(params string[] args)
    {
        var result = CliProcess.Run(null, args);

        var what = args[0] == "bench" ? "Benchmarks live" : "The kill harness lives";
        result.ExitCode.ShouldBe(1);
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldBe($"error: {what} in the sluice-bench tool of the Sluice repository: run ./sluice {args[0]} … in a clone of it.\n");
    }

    [Fact]
    public void Tool_References_NeitherBenchmarkDotNetNorTheBenchProjects()
    {
        var references = typeof(Program).Assembly.GetReferencedAssemblies().Select(static a => a.Name).ToList();

        references.ShouldNotContain("BenchmarkDotNet");
        references.ShouldNotContain("Sluice.Benchmarks");
        references.ShouldNotContain("Sluice.Nexmark");
        references.ShouldNotContain("Sluice.Testing");
        File.Exists(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.dll")).ShouldBeFalse("nothing the tool references brings BenchmarkDotNet along");
    }
}
