namespace Sluice.Ml;

/// <summary>
/// Writes the features of <paramref name="record"/> into <paramref name="features"/>, one row of the batch tensor the
/// model is run on. The span has exactly the model's feature count, is cleared to 0 before the call, and is valid only
/// during it. Called on the task thread for every record: allocate nothing.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public delegate void FeatureWriter<in T>(T record, Span<float> features);
