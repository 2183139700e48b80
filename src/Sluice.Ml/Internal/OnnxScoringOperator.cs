using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.ML.OnnxRuntime;
using Sluice.Operators;

namespace Sluice.Ml.Internal;

/// <summary>
/// Scores records with an ONNX model in batches: each record's features are written into the next row of one reusable
/// [batch, features] float buffer; a full batch runs as one tensor, and the scores are matched back to the records in
/// order and emitted with their timestamps. A partly filled batch runs before a watermark is forwarded, before a
/// checkpoint barrier (<see cref="PrepareSnapshotPreBarrier"/>), at the end of input, and after
/// <see cref="OnnxScoringOptions.MaxBatchDelay"/> of processing time, so no record is held past a barrier and
/// the operator keeps no state.
/// </summary>
/// <remarks>
/// One instance and one <see cref="InferenceSession"/> per subtask (opened in <see cref="Open"/>, disposed in
/// <see cref="Close"/>); task thread only. A full batch runs on tensors created once; only a partial batch creates
/// its (two) tensors. Nothing is allocated per record beyond what <c>result</c> allocates.
/// </remarks>
internal sealed class OnnxScoringOperator<T, TOut>(OnnxModel model, int featureCount, FeatureWriter<T> features, Func<T, float, TOut> result, OnnxScoringOptions options)
    : OneInputStreamOperator<T, TOut>
{
    private readonly int _batchSize = options.BatchSize;
    private readonly long _maxDelayMs = (long)options.MaxBatchDelay.TotalMilliseconds;
    private InferenceSession? _session;
    private RunOptions? _runOptions;
    private string[] _inputNames = [];
    private string[] _outputNames = [];
    private T[] _records = [];
    private long[] _timestamps = [];
    private float[] _features = [];
    private float[] _scores = [];
    private OrtValue[] _fullInput = [];
    private OrtValue[] _fullOutput = [];
    private int _count;
    private long _deadline = long.MaxValue; // processing time (ms) by which the current batch runs

    public override void Open()
    {
        _session = model.OpenSession(options.IntraOpThreads);
        _runOptions = new RunOptions();
        _inputNames = [model.InputName];
        _outputNames = [model.OutputName];
        _records = new T[_batchSize];
        _timestamps = new long[_batchSize];
        _features = new float[_batchSize * featureCount];
        _scores = new float[_batchSize];
        _fullInput = [Tensor(_features, _batchSize, featureCount)];
        _fullOutput = [OutputTensor(_scores, _batchSize)];
    }

    public override void ProcessElement(T value, long timestamp)
    {
        var row = _features.AsSpan(_count * featureCount, featureCount);
        row.Clear();
        features(value, row);
        _records[_count] = value;
        _timestamps[_count] = timestamp;
        if (++_count == _batchSize)
        {
            Flush();
        }
        else if (_count == 1 && _maxDelayMs > 0)
        {
            _deadline = Context.CurrentProcessingTime + _maxDelayMs;
            Context.RequestProcessingTime(_deadline);
        }
    }

    public override void ProcessWatermark(long watermark)
    {
        Flush();
        Output.EmitWatermark(watermark);
    }

    public override void OnProcessingTime(long now)
    {
        if (_count == 0)
        {
            return;
        }
        if (now >= _deadline)
        {
            Flush();
        }
        else
        {
            // The timer that fired was an earlier batch's (the context keeps only the earliest request): ask again for this one's.
            Context.RequestProcessingTime(_deadline);
        }
    }

    public override void PrepareSnapshotPreBarrier(long checkpointId) => Flush();

    public override void EndInput() => Flush();

    public override void Close()
    {
        foreach (var value in _fullInput)
        {
            value.Dispose();
        }
        foreach (var value in _fullOutput)
        {
            value.Dispose();
        }
        _fullInput = _fullOutput = [];
        _runOptions?.Dispose();
        _runOptions = null;
        if (_session is not null)
        {
            model.CloseSession(_session);
            _session = null;
        }
    }

    /// <summary>Runs the buffered records (if any) through the model and emits them in order.</summary>
    private void Flush()
    {
        var count = _count;
        if (count == 0)
        {
            return;
        }
        Debug.Assert(_session is not null && _runOptions is not null, "Flush before Open.");
        try
        {
            if (count == _batchSize)
            {
                _session.Run(_runOptions, _inputNames, _fullInput, _outputNames, _fullOutput);
            }
            else
            {
                using var input = Tensor(_features.AsMemory(0, count * featureCount), count, featureCount);
                using var output = OutputTensor(_scores.AsMemory(0, count), count);
                _session.Run(_runOptions, _inputNames, [input], _outputNames, [output]);
            }
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOperationException(
                $"Model '{model.Path}' failed to score a batch of {count} records (input '{model.InputName}' float[{count}, {featureCount}]): {e.Message}", e);
        }
        model.CountBatch();
        _count = 0;
        _deadline = long.MaxValue;
        for (var i = 0; i < count; i++)
        {
            Output.Collect(result(_records[i], _scores[i]), _timestamps[i]);
        }
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(_records, 0, count); // the records are emitted: do not keep them alive
        }
    }

    private static OrtValue Tensor(Memory<float> data, int rows, int columns) =>
        OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, data, [rows, columns]);

    private OrtValue OutputTensor(Memory<float> data, int rows) => model.OutputRank == 1
        ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, data, [rows])
        : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, data, [rows, 1]);
}
