using Sluice.Schemas;

namespace Sluice.Ml.Internal;

/// <summary>
/// The feature columns and the score column of a row stream, resolved against its schema when the job graph is built:
/// writes a row's numeric columns as floats (null as 0) and returns a copy of the row with the score set.
/// </summary>
internal sealed class RowFeatureColumns
{
    private readonly int[] _indexes;
    private readonly DataTypeKind[] _kinds;
    private readonly int _scoreIndex;
    private readonly bool _scoreIsDouble;

    private RowFeatureColumns(int[] indexes, DataTypeKind[] kinds, int scoreIndex, bool scoreIsDouble)
    {
        _indexes = indexes;
        _kinds = kinds;
        _scoreIndex = scoreIndex;
        _scoreIsDouble = scoreIsDouble;
    }

    /// <summary>Resolves the columns against <paramref name="schema"/>.</summary>
    /// <exception cref="OnnxModelMismatchException">A column is missing or of a type that cannot be a feature or the score.</exception>
    public static RowFeatureColumns Resolve(OnnxModel model, Schema schema, IReadOnlyList<string> featureColumns, string scoreColumn)
    {
        var indexes = new int[featureColumns.Count];
        var kinds = new DataTypeKind[featureColumns.Count];
        for (var i = 0; i < featureColumns.Count; i++)
        {
            var index = IndexOf(model, schema, featureColumns[i], "feature");
            var kind = schema[index].Type.Kind;
            if (kind is not (DataTypeKind.Boolean or DataTypeKind.Int or DataTypeKind.BigInt or DataTypeKind.Float or DataTypeKind.Double or DataTypeKind.Decimal))
            {
                throw new OnnxModelMismatchException(
                    $"Model '{model.Path}' cannot be fed feature column '{featureColumns[i]}': it is {schema[index].Type}, and a feature column must be BOOLEAN, INT, BIGINT, FLOAT, DOUBLE or DECIMAL.");
            }
            indexes[i] = index;
            kinds[i] = kind;
        }
        var scoreIndex = IndexOf(model, schema, scoreColumn, "score");
        var scoreKind = schema[scoreIndex].Type.Kind;
        if (scoreKind is not (DataTypeKind.Float or DataTypeKind.Double))
        {
            throw new OnnxModelMismatchException(
                $"Model '{model.Path}' cannot write its score to column '{scoreColumn}': it is {schema[scoreIndex].Type}, and the score column must be FLOAT or DOUBLE.");
        }
        return new RowFeatureColumns(indexes, kinds, scoreIndex, scoreKind == DataTypeKind.Double);
    }

    /// <summary>Writes <paramref name="row"/>'s feature columns, in order, as floats; a null is 0.</summary>
    public void Write(Row row, Span<float> features)
    {
        for (var i = 0; i < _indexes.Length; i++)
        {
            var index = _indexes[i];
            if (row.IsNull(index))
            {
                continue; // the span is cleared: a null feature is 0
            }
            features[i] = _kinds[i] switch
            {
                DataTypeKind.Boolean => row.GetBoolean(index) ? 1f : 0f,
                DataTypeKind.Int => row.GetInt32(index),
                DataTypeKind.BigInt => row.GetInt64(index),
                DataTypeKind.Float => row.GetSingle(index),
                DataTypeKind.Double => (float)row.GetDouble(index),
                _ => (float)row.GetDecimal(index),
            };
        }
    }

    /// <summary>A copy of <paramref name="row"/> (same kind) with the score column set to <paramref name="score"/>.</summary>
    public Row WithScore(Row row, float score)
    {
        var scored = row.Copy();
        if (_scoreIsDouble)
        {
            scored.SetDouble(_scoreIndex, score);
        }
        else
        {
            scored.SetSingle(_scoreIndex, score);
        }
        return scored;
    }

    private static int IndexOf(OnnxModel model, Schema schema, string column, string what)
    {
        var index = schema.IndexOf(column);
        if (index < 0)
        {
            throw new OnnxModelMismatchException(
                $"Model '{model.Path}' cannot be applied: the {what} column '{column}' is not in the stream's schema ({string.Join(", ", schema.Select(f => f.Name))}).");
        }
        return index;
    }
}
