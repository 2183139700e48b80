using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Sluice.Benchmarks;

/// <summary>Runs the BenchmarkDotNet suites in-process (no generated projects), for <c>sluice bench micro</c>.</summary>
public static class EngineBenchmarkRunner
{
    /// <summary>Runs the suites matching <paramref name="args"/> (BenchmarkDotNet switches, e.g. <c>--filter *Chained*</c>).</summary>
    public static int Run(string[] args, bool quick)
    {
        var job = (quick ? Job.ShortRun : Job.Default).WithToolchain(InProcessEmitToolchain.Instance);
        var config = DefaultConfig.Instance.AddJob(job).WithOptions(ConfigOptions.DisableOptimizationsValidator);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(EngineBenchmarkRunner).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
