using Sluice.Changelog;
using Sluice.Schemas;
using Sluice.Sql.Planning;

namespace Sluice.Sql.Runtime;

/// <summary>
/// The row shapes and keys the join operators share: the joined schema (left fields, then right fields), how a joined
/// or null-padded row is built, and the equi-join key of a row. Stateless and thread-safe.
/// </summary>
internal static class JoinRows
{
    /// <summary>
    /// The schema of a join's output: for <see cref="JoinKind.Semi"/> and <see cref="JoinKind.Anti"/> the left schema;
    /// otherwise the left fields then the right fields, with the fields of a side that may be null-padded made nullable
    /// (the right side of LEFT and FULL joins, the left side of RIGHT and FULL joins). A right field whose name a left
    /// field has is renamed with the first suffix <c>0</c>, <c>1</c>, … that no field of either side has (<c>id</c> →
    /// <c>id0</c>, as Calcite names them); other right fields keep their names.
    /// </summary>
    public static Schema OutputSchema(Schema left, Schema right, JoinKind kind) => kind switch
    {
        JoinKind.Semi or JoinKind.Anti => left,
        _ => Combine(left, right, kind is JoinKind.Right or JoinKind.Full, kind is JoinKind.Left or JoinKind.Full),
    };

    /// <summary>
    /// The schema a join's residual condition is compiled over: the left fields then the right fields, names as in
    /// <see cref="OutputSchema"/>, types as in the inputs (for every kind, SEMI and ANTI included).
    /// </summary>
    public static Schema ConditionSchema(Schema left, Schema right) => Combine(left, right, false, false);

    /// <summary>Writes the fields of <paramref name="left"/> and <paramref name="right"/> (either null: null-padded) into <paramref name="target"/>.</summary>
    public static void Fill(Row target, Row? left, int leftCount, Row? right)
    {
        if (left is null)
        {
            for (var i = 0; i < leftCount; i++)
            {
                target.SetNull(i);
            }
        }
        else
        {
            for (var i = 0; i < leftCount; i++)
            {
                left.CopyFieldTo(i, target, i);
            }
        }
        var rightCount = target.FieldCount - leftCount;
        if (right is null)
        {
            for (var i = 0; i < rightCount; i++)
            {
                target.SetNull(leftCount + i);
            }
        }
        else
        {
            for (var i = 0; i < rightCount; i++)
            {
                right.CopyFieldTo(i, target, leftCount + i);
            }
        }
    }

    /// <summary>Whether a key field of <paramref name="row"/> that is not null-safe is null: such a row matches nothing (SQL's <c>=</c>).</summary>
    public static bool HasNullKey(Row row, int[] keys, bool[] nullSafe)
    {
        for (var i = 0; i < keys.Length; i++)
        {
            if (!nullSafe[i] && row.IsNull(keys[i]))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Checks a join's key fields: as many on each side, in range, scalar, and pairwise of the same type kind (and DECIMAL
    /// scale; the binder casts both sides to their common type), so that equal values give equal encoded keys.
    /// </summary>
    /// <param name="left">The left input's schema.</param>
    /// <param name="leftKeys">The left key fields.</param>
    /// <param name="right">The right input's schema.</param>
    /// <param name="rightKeys">The right key fields.</param>
    /// <param name="allowNone">Whether no keys at all is valid (a regular join without an equality: one key, one subtask).</param>
    /// <exception cref="ArgumentException">The keys do not fit; the message names the fields.</exception>
    public static void CheckKeys(Schema left, IReadOnlyList<int> leftKeys, Schema right, IReadOnlyList<int> rightKeys, bool allowNone = false)
    {
        ArgumentNullException.ThrowIfNull(leftKeys);
        ArgumentNullException.ThrowIfNull(rightKeys);
        if ((leftKeys.Count == 0 && !allowNone) || leftKeys.Count != rightKeys.Count)
        {
            throw new ArgumentException($"A join needs the same positive number of key fields on both sides, not {leftKeys.Count} and {rightKeys.Count}.", nameof(leftKeys));
        }
        for (var i = 0; i < leftKeys.Count; i++)
        {
            CheckIndex(left, leftKeys[i], "left");
            CheckIndex(right, rightKeys[i], "right");
            var l = left[leftKeys[i]];
            var r = right[rightKeys[i]];
            // Keys are compared by their encoding: a DECIMAL's encoding carries its scale, so both scales must agree.
            if (l.Type.Kind != r.Type.Kind || (l.Type.Kind == DataTypeKind.Decimal && l.Type.Scale != r.Type.Scale))
            {
                throw new ArgumentException($"Join key {i + 1} compares left field '{l.Name}' ({l.Type}) with right field '{r.Name}' ({r.Type}); cast both to one type first.", nameof(rightKeys));
            }
        }
    }

    /// <summary>The encoder of the key fields <paramref name="keys"/> of rows of <paramref name="schema"/>.</summary>
    public static RowKeyEncoder KeyEncoder(Schema schema, IReadOnlyList<int> keys)
    {
        var names = new string[keys.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = schema[keys[i]].Name;
        }
        return new RowKeyEncoder(schema, names);
    }

    /// <summary>
    /// Keys <paramref name="left"/> and <paramref name="right"/> by their join key fields (one encoding for both sides,
    /// so equal keys meet in one subtask) and connects them, ready for a join operator's <c>Transform</c>.
    /// </summary>
    public static ConnectedKeyedStreams<string, Row, Row> KeyBoth(
        DataStream<Row> left, Schema leftSchema, IReadOnlyList<int> leftKeys, DataStream<Row> right, Schema rightSchema, IReadOnlyList<int> rightKeys)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        if (leftKeys.Count == 0)
        {
            // No equality between the sides: every row meets every other under one key (Flink's singleton exchange).
            return left.KeyBy(static _ => string.Empty).Connect(right.KeyBy(static _ => string.Empty));
        }

        var leftKey = KeyEncoder(leftSchema, leftKeys);
        var rightKey = KeyEncoder(rightSchema, rightKeys);
        return left.KeyBy(leftKey.Encode).Connect(right.KeyBy(rightKey.Encode));
    }

    /// <summary>Checks that field <paramref name="index"/> exists in <paramref name="schema"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It does not; the message names the side.</exception>
    public static void CheckIndex(Schema schema, int index, string side)
    {
        if ((uint)index >= (uint)schema.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The {side} input has {schema.Count} fields; field {index} does not exist.");
        }
    }

    /// <summary>Checks that field <paramref name="index"/> exists and is a TIMESTAMP or TIMESTAMP_LTZ (a time attribute or window bound).</summary>
    /// <exception cref="ArgumentException">It is not; the message names the field and what it should be.</exception>
    public static void CheckTimeField(Schema schema, int index, string side, string role)
    {
        CheckIndex(schema, index, side);
        if (schema[index].Type.Kind is not (DataTypeKind.Timestamp or DataTypeKind.TimestampLtz))
        {
            throw new ArgumentException($"The {side} {role} field '{schema[index].Name}' is {schema[index].Type}; it must be a TIMESTAMP or TIMESTAMP_LTZ.", nameof(index));
        }
    }

    /// <summary>Milliseconds since the epoch of a TIMESTAMP or TIMESTAMP_LTZ field (a time attribute); null fields are <see cref="long.MinValue"/>.</summary>
    public static long TimeMillis(Row row, int field, DataTypeKind kind)
    {
        if (row.IsNull(field))
        {
            return long.MinValue;
        }
        var ticks = kind == DataTypeKind.Timestamp ? row.GetTimestamp(field).Ticks : row.GetTimestampLtz(field).UtcTicks;
        return (ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;
    }

    private static Schema Combine(Schema left, Schema right, bool leftNullable, bool rightNullable)
    {
        var fields = new Field[left.Count + right.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < left.Count; i++)
        {
            fields[i] = leftNullable ? new Field(left[i].Name, left[i].Type.Nullable(), left[i].Description) : left[i];
            names.Add(left[i].Name);
        }
        foreach (var field in right)
        {
            names.Add(field.Name);
        }
        for (var i = 0; i < right.Count; i++)
        {
            var name = right[i].Name;
            if (left.IndexOf(name) >= 0)
            {
                var suffix = 0;
                do
                {
                    name = right[i].Name + suffix++.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                while (!names.Add(name));
            }
            var type = rightNullable ? right[i].Type.Nullable() : right[i].Type;
            fields[left.Count + i] = new Field(name, type, right[i].Description);
        }
        return new Schema(fields);
    }
}
