using Sluice.Ml.Internal;
using Sluice.Schemas;

namespace Sluice.Ml;

/// <summary>Adds in-process ONNX model scoring to a <see cref="DataStream{T}"/>.</summary>
public static class OnnxStreamExtensions
{
    /// <summary>
    /// Scores every record with <paramref name="model"/>: <paramref name="features"/> writes the record's
    /// <paramref name="featureCount"/> features into its row of a [batch, features] float tensor, the batch runs through
    /// the model in one call, and <paramref name="result"/> turns each record and its score into the output record,
    /// emitted in input order with the input's timestamp.
    /// </summary>
    /// <remarks>
    /// <para>The model is checked here, when the job graph is built: a model whose input does not take
    /// <paramref name="featureCount"/> features is rejected before the job runs.</para>
    /// <para>Each parallel subtask loads the model once (one ONNX Runtime session, opened when the subtask opens and
    /// disposed when it closes). Records wait in a batch of <see cref="OnnxScoringOptions.BatchSize"/>; a partly filled
    /// batch runs before a watermark or a checkpoint barrier is forwarded, at the end of input and after
    /// <see cref="OnnxScoringOptions.MaxBatchDelay"/>, so no record is held across a checkpoint and the operator has no
    /// state to restore.</para>
    /// <para>Hot path: the feature buffer and the full-batch tensors are reused, so scoring allocates nothing per
    /// record; <paramref name="features"/> and <paramref name="result"/> should not either.</para>
    /// </remarks>
    /// <param name="stream">The records to score.</param>
    /// <param name="model">The model, from <see cref="OnnxModel.Load"/>.</param>
    /// <param name="featureCount">Features written per record; must equal the model input's second dimension.</param>
    /// <param name="features">Writes a record's features (the span is cleared first).</param>
    /// <param name="result">Makes the output record from a record and its score.</param>
    /// <param name="options">Batching and threading; <see cref="OnnxScoringOptions.Default"/> when null.</param>
    /// <param name="name">The operator's name; <c>Score(model file)</c> when null.</param>
    /// <exception cref="OnnxModelMismatchException">The model's input does not take <paramref name="featureCount"/> features.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="featureCount"/> or an option is out of range.</exception>
    public static DataStream<TOut> Score<T, TOut>(this DataStream<T> stream, OnnxModel model, int featureCount, FeatureWriter<T> features,
        Func<T, float, TOut> result, OnnxScoringOptions? options = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        options ??= OnnxScoringOptions.Default;
        options.Validate();
        model.CheckFeatureCount(featureCount);
        return stream.Transform(name ?? $"Score({Path.GetFileName(model.Path)})",
            () => new OnnxScoringOperator<T, TOut>(model, featureCount, features, result, options));
    }

    /// <summary>
    /// Scores every row of <paramref name="schema"/> with <paramref name="model"/>, as
    /// <see cref="Score{T, TOut}"/> does: the model is fed <paramref name="featureColumns"/> in order (BOOLEAN, INT,
    /// BIGINT, FLOAT, DOUBLE or DECIMAL, converted to float; a null is 0), and each row comes out as a copy with
    /// <paramref name="scoreColumn"/> (a FLOAT or DOUBLE column of the same schema) set to its score. The schema is
    /// unchanged, so sinks declared for it take the scored rows.
    /// </summary>
    /// <remarks>Checked when the job graph is built, like <see cref="Score{T, TOut}"/>; also the columns against
    /// <paramref name="schema"/>. Allocates one row copy per record (rows are not shared between operators).</remarks>
    /// <exception cref="OnnxModelMismatchException">
    /// The model does not take as many features as <paramref name="featureColumns"/> names, or a column is missing or of
    /// an unusable type (named in the message).
    /// </exception>
    public static DataStream<Row> ScoreRows(this DataStream<Row> stream, OnnxModel model, Schema schema, IReadOnlyList<string> featureColumns,
        string scoreColumn, OnnxScoringOptions? options = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(featureColumns);
        ArgumentException.ThrowIfNullOrEmpty(scoreColumn);
        var columns = RowFeatureColumns.Resolve(model, schema, featureColumns, scoreColumn);
        return stream.Score(model, featureColumns.Count, columns.Write, columns.WithScore, options, name);
    }
}
