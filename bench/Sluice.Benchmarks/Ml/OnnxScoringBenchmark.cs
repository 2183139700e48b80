using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Sluice.Ml;
using Sluice.Sinks;

namespace Sluice.Benchmarks.Ml;

/// <summary>What <see cref="OnnxScoringBenchmark"/> runs.</summary>
public sealed record OnnxScoringBenchmarkOptions
{
    /// <summary>An ONNX model: input float[-1, <see cref="FeatureCount"/>], one float per row out.</summary>
    public required string ModelPath { get; init; }

    /// <summary>The model's input.</summary>
    public required string InputName { get; init; }

    /// <summary>The model's output read as the score.</summary>
    public required string OutputName { get; init; }

    /// <summary>Features per record.</summary>
    public required int FeatureCount { get; init; }

    /// <summary>Feature rows the records cycle through (rows × <see cref="FeatureCount"/> floats).</summary>
    public required float[] FeatureTable { get; init; }

    /// <summary>Records scored per run and case.</summary>
    public long Records { get; init; } = 4_000_000;

    /// <summary>Rows per model run, in both cases.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Subtasks of the job, and threads (one session each) of the direct loop.</summary>
    public int Parallelism { get; init; } = 2;

    /// <summary>Runs per case, alternating; the fastest is reported.</summary>
    public int Runs { get; init; } = 3;
}

/// <summary>One case's best run.</summary>
public sealed record OnnxScoringResult(string Case, long Records, double Seconds)
{
    /// <summary>Throughput.</summary>
    public double RecordsPerSecond => Records / Seconds;
}

/// <summary>
/// In-process ONNX scoring: a Sluice job (generator → <c>Score</c> → counting sink, all chained, <c>Parallelism</c>
/// subtasks) against ONNX Runtime called directly by as many threads, each with its own session, over the same
/// batches of the same feature rows. Both cases sum their scores; the run fails when the sums differ, so a case that
/// skipped work cannot look fast.
/// </summary>
public static class OnnxScoringBenchmark
{
    /// <summary>Runs both cases <see cref="OnnxScoringBenchmarkOptions.Runs"/> times, alternating.</summary>
    /// <exception cref="InvalidOperationException">The two cases' score sums differ.</exception>
    public static IReadOnlyList<OnnxScoringResult> Run(OnnxScoringBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var model = OnnxModel.Load(options.ModelPath, options.InputName, options.OutputName);
        double direct = double.MaxValue, job = double.MaxValue;
        for (var run = 0; run < options.Runs; run++)
        {
            var (directSeconds, directSum) = Direct(options);
            var (jobSeconds, jobSum) = Job(options, model);
            if (Math.Abs(directSum - jobSum) > 1e-6 * Math.Max(1, Math.Abs(directSum)))
            {
                throw new InvalidOperationException($"The job's scores sum to {jobSum} but ONNX Runtime's to {directSum}: the cases did not score the same records.");
            }
            direct = Math.Min(direct, directSeconds);
            job = Math.Min(job, jobSeconds);
        }
        return
        [
            new OnnxScoringResult("onnxruntime direct", options.Records, direct),
            new OnnxScoringResult("sluice job", options.Records, job),
        ];
    }

    private static (double Seconds, double Sum) Job(OnnxScoringBenchmarkOptions options, OnnxModel model)
    {
        var table = options.FeatureTable;
        var features = options.FeatureCount;
        var rows = table.Length / features;
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = options.Parallelism });
        var sink = new SummingSink();
        env.Generate(1e12, static i => i, options.Records)
            .Score(model, features, (i, f) => table.AsSpan((int)(i % rows) * features, features).CopyTo(f), static (_, score) => score,
                new OnnxScoringOptions { BatchSize = options.BatchSize })
            .SinkTo(sink, "Sum");
        var watch = Stopwatch.StartNew();
        env.ExecuteAsync().GetAwaiter().GetResult();
        var seconds = watch.Elapsed.TotalSeconds;
        if (sink.Count != options.Records)
        {
            throw new InvalidOperationException($"The job scored {sink.Count} records, not {options.Records}.");
        }
        return (seconds, sink.Sum);
    }

    private static (double Seconds, double Sum) Direct(OnnxScoringBenchmarkOptions options)
    {
        var threads = options.Parallelism;
        var sums = new double[threads];
        var sessions = new InferenceSession[threads];
        for (var t = 0; t < threads; t++)
        {
            using var sessionOptions = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            sessions[t] = new InferenceSession(options.ModelPath, sessionOptions);
        }
        try
        {
            var watch = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => sums[t] = DirectShare(options, sessions[t], t, threads));
            return (watch.Elapsed.TotalSeconds, sums.Sum());
        }
        finally
        {
            foreach (var session in sessions)
            {
                session.Dispose();
            }
        }
    }

    // Records t, t + threads, t + 2·threads, …: the rows a subtask of the generator would get, in batches of BatchSize.
    private static double DirectShare(OnnxScoringBenchmarkOptions options, InferenceSession session, int thread, int threads)
    {
        var features = options.FeatureCount;
        var rows = options.FeatureTable.Length / features;
        var batch = options.BatchSize;
        var input = new float[batch * features];
        var output = new float[batch];
        using var runOptions = new RunOptions();
        using var fullInput = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.AsMemory(), [batch, features]);
        using var fullOutput = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output.AsMemory(), [batch, 1]);
        string[] inputNames = [options.InputName], outputNames = [options.OutputName];
        OrtValue[] inputs = [fullInput], outputs = [fullOutput];
        var sum = 0.0;
        var count = 0;
        for (long i = thread; i < options.Records; i += threads)
        {
            options.FeatureTable.AsSpan((int)(i % rows) * features, features).CopyTo(input.AsSpan(count * features, features));
            if (++count == batch)
            {
                session.Run(runOptions, inputNames, inputs, outputNames, outputs);
                for (var r = 0; r < count; r++)
                {
                    sum += output[r];
                }
                count = 0;
            }
        }
        if (count > 0)
        {
            using var lastInput = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.AsMemory(0, count * features), [count, features]);
            using var lastOutput = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output.AsMemory(0, count), [count, 1]);
            session.Run(runOptions, inputNames, [lastInput], outputNames, [lastOutput]);
            for (var r = 0; r < count; r++)
            {
                sum += output[r];
            }
        }
        return sum;
    }

    /// <summary>Counts and sums the scores; each writer adds its share when it is flushed.</summary>
    private sealed class SummingSink : ISink<float>
    {
        private readonly Lock _lock = new();
        private long _count;
        private double _sum;

        public long Count
        {
            get
            {
                lock (_lock)
                {
                    return _count;
                }
            }
        }

        public double Sum
        {
            get
            {
                lock (_lock)
                {
                    return _sum;
                }
            }
        }

        public int MaxParallelism => 0;

        public ISinkWriter<float> CreateWriter(SinkContext context) => new Writer(this);

        private sealed class Writer(SummingSink sink) : ISinkWriter<float>
        {
            private long _count;
            private double _sum;

            public void Write(float value, long timestamp)
            {
                _count++;
                _sum += value;
            }

            public void Flush()
            {
                lock (sink._lock)
                {
                    sink._count += _count;
                    sink._sum += _sum;
                }
                _count = 0;
                _sum = 0;
            }

            public void Dispose() => Flush();
        }
    }
}
