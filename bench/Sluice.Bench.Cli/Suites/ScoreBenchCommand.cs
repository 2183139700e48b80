using System.CommandLine;
using Sluice.Benchmarks.Ml;
using Sluice.Examples.Decision;

namespace Sluice.Bench.Cli.Suites;

/// <summary>
/// <c>sluice bench score [--records N] [--batch N] [--parallelism N] [--runs N] [--json]</c>: in-process ONNX scoring of
/// the decision path's 20-feature fraud model (trained first, about a second) in a Sluice job, against ONNX Runtime run
/// directly over the same batches, in one run.
/// </summary>
internal static class ScoreBenchCommand
{
    /// <summary>Builds the <c>score</c> subcommand for <c>sluice bench</c>.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var records = new Option<int>("--records") { Description = "Records scored per run and case (at least 1).", DefaultValueFactory = _ => 4_000_000 }.MustBeAtLeast(1);
        var batch = new Option<int>("--batch") { Description = "Rows per model run (at least 1).", DefaultValueFactory = _ => 256 }.MustBeAtLeast(1);
        var parallelism = new Option<int>("--parallelism") { Description = "Job subtasks, and threads of the direct loop (at least 1).", DefaultValueFactory = _ => 2 }.MustBeAtLeast(1);
        var runs = new Option<int>("--runs") { Description = "Runs per case, alternating; the fastest is reported (at least 1).", DefaultValueFactory = _ => 3 }.MustBeAtLeast(1);
        var command = new Command("score", "Benchmark in-process ONNX scoring (stream.Score) of a 20-feature fraud model against ONNX Runtime called directly over the same batches.")
        {
            json, records, batch, parallelism, runs,
        };
        command.SetAction(r =>
        {
            var directory = Directory.CreateTempSubdirectory("sluice-bench-score-");
            try
            {
                var modelPath = Path.Combine(directory.FullName, "fraud.onnx");
                FraudModel.TrainToOnnx(modelPath, seed: 42);
                var rows = FraudModel.Generate(4_096, seed: 1);
                var table = new float[rows.Count * FraudModel.FeatureCount];
                for (var i = 0; i < rows.Count; i++)
                {
                    rows[i].Features.CopyTo(table, i * FraudModel.FeatureCount);
                }
                var results = OnnxScoringBenchmark.Run(new OnnxScoringBenchmarkOptions
                {
                    ModelPath = modelPath,
                    InputName = FraudModel.InputName,
                    OutputName = FraudModel.OutputName,
                    FeatureCount = FraudModel.FeatureCount,
                    FeatureTable = table,
                    Records = r.GetValue(records),
                    BatchSize = r.GetValue(batch),
                    Parallelism = r.GetValue(parallelism),
                    Runs = r.GetValue(runs),
                });
                return CaseReport.Print([.. results.Select(static x => new BenchCase(x.Case, x.Records, x.Seconds))], r.GetValue(json), "records",
                    ("sluice job", "onnxruntime direct", "job ÷ direct throughput"));
            }
            finally
            {
                directory.Delete(recursive: true);
            }
        });
        return command;
    }
}
