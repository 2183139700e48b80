using System.Diagnostics;

namespace Sluice.Schemas;

/// <summary>
/// Where each field of a <see cref="Schema"/> lives in a <see cref="Row"/>: fixed-width values (numbers, booleans,
/// dates, times and timestamps) in 64-bit slots — a DECIMAL in two — and strings, byte arrays and nested values in
/// reference slots. Computed once per schema.
/// </summary>
internal sealed class RowLayout
{
    public RowLayout(Schema schema)
    {
        Kinds = new DataTypeKind[schema.Count];
        Slots = new int[schema.Count];
        Precisions = new int[schema.Count];
        for (var i = 0; i < schema.Count; i++)
        {
            var type = schema[i].Type;
            Kinds[i] = type.Kind;
            Precisions[i] = type.Precision;
            if (IsReference(type.Kind))
            {
                Slots[i] = ReferenceSlots++;
            }
            else
            {
                Slots[i] = FixedSlots;
                FixedSlots += type.Kind == DataTypeKind.Decimal ? 2 : 1;
            }
        }
        Debug.Assert(FixedSlots + ReferenceSlots >= schema.Count, "every field has a slot");
    }

    /// <summary>The kind of each field.</summary>
    public DataTypeKind[] Kinds { get; }

    /// <summary>Each field's slot: an index into the fixed slots or into the reference slots, by kind.</summary>
    public int[] Slots { get; }

    /// <summary>Each field's precision (DECIMAL digits or fractional-second digits).</summary>
    public int[] Precisions { get; }

    /// <summary>The number of 64-bit slots a row needs.</summary>
    public int FixedSlots { get; }

    /// <summary>The number of reference slots a row needs.</summary>
    public int ReferenceSlots { get; }

    /// <summary>Whether values of <paramref name="kind"/> live in reference slots.</summary>
    public static bool IsReference(DataTypeKind kind) =>
        kind is DataTypeKind.Varchar or DataTypeKind.Bytes or DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map;
}
