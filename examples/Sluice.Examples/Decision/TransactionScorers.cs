namespace Sluice.Examples.Decision;

/// <summary>
/// Turns a transaction's feature vector (<see cref="TransactionFeatures.WriteVector"/>) into a fraud score in [0, 1].
/// Called on the scoring operator's subtask thread; an implementation used with parallelism above 1 is shared by the
/// subtasks, so it must be thread-safe (a stateless one is).
/// </summary>
public interface ITransactionScorer
{
    /// <summary>The score of <paramref name="features"/>, in [0, 1].</summary>
    /// <param name="features"><see cref="TransactionFeatures.VectorLength"/> values in the documented order.</param>
    double Score(ReadOnlySpan<float> features);
}

/// <summary>
/// A fixed logistic model, <c>σ(bias + Σ wᵢ·xᵢ)</c>: deterministic and dependency-free, the example's scorer until a
/// trained model (ONNX) replaces it. Immutable and thread-safe.
/// </summary>
public sealed class LogisticScorer : ITransactionScorer
{
    private readonly float[] _weights;

    /// <summary>A model of <paramref name="bias"/> and one weight per feature.</summary>
    /// <exception cref="ArgumentException">The weights are not <see cref="TransactionFeatures.VectorLength"/> long.</exception>
    public LogisticScorer(double bias, IReadOnlyList<float> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != TransactionFeatures.VectorLength)
        {
            throw new ArgumentException($"A logistic scorer needs {TransactionFeatures.VectorLength} weights, one per feature, not {weights.Count}.", nameof(weights));
        }
        Bias = bias;
        _weights = [.. weights];
    }

    /// <summary>
    /// The example's hand-set model: an amount of a few hundred, a new location and a burst of transactions each push the
    /// score up (weights per unit: amount 0.003, 10-minute spend 0.0005, count 0.25, location changed 2.5, share −1).
    /// </summary>
    public static LogisticScorer Default { get; } = new(-5.0, [0.003f, 0.0005f, 0.25f, 2.5f, -1f]);

    /// <summary>The intercept.</summary>
    public double Bias { get; }

    /// <summary>The weights, one per feature.</summary>
    public IReadOnlyList<float> Weights => _weights;

    /// <inheritdoc />
    public double Score(ReadOnlySpan<float> features)
    {
        if (features.Length != _weights.Length)
        {
            throw new ArgumentException($"The logistic scorer takes {_weights.Length} features, not {features.Length}.", nameof(features));
        }
        var z = Bias;
        for (var i = 0; i < _weights.Length; i++)
        {
            z += (double)_weights[i] * features[i];
        }
        return 1 / (1 + Math.Exp(-z));
    }
}
