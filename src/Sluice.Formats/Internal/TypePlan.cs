using System.Text;
using System.Text.Json;
using Sluice.Schemas;

namespace Sluice.Formats;

/// <summary>
/// A data type prepared once for reading and writing: its nested plans (row fields, array element, map key and value)
/// and, for a ROW, the field names pre-encoded, so no lookup or encoding runs per record.
/// </summary>
internal sealed class TypePlan
{
    public TypePlan(DataType type)
    {
        Type = type;
        Kind = type.Kind;
        switch (type.Kind)
        {
            case DataTypeKind.Row:
                Row = new RowPlan(type.Fields!);
                break;
            case DataTypeKind.Array:
                Element = new TypePlan(type.ElementType!);
                break;
            case DataTypeKind.Map:
                Element = new TypePlan(type.KeyType!);
                Value = new TypePlan(type.ValueType!);
                break;
        }
    }

    public DataType Type { get; }

    public DataTypeKind Kind { get; }

    /// <summary>ROW: the nested fields.</summary>
    public RowPlan? Row { get; }

    /// <summary>ARRAY: the element; MAP: the key.</summary>
    public TypePlan? Element { get; }

    /// <summary>MAP: the value.</summary>
    public TypePlan? Value { get; }
}

/// <summary>A schema prepared for reading and writing (see <see cref="TypePlan"/>).</summary>
internal sealed class RowPlan
{
    public RowPlan(Schema schema)
    {
        Schema = schema;
        Fields = new TypePlan[schema.Count];
        Names = new string[schema.Count];
        Utf8Names = new byte[schema.Count][];
        JsonNames = new JsonEncodedText[schema.Count];
        for (var i = 0; i < schema.Count; i++)
        {
            Fields[i] = new TypePlan(schema[i].Type);
            Names[i] = schema[i].Name;
            Utf8Names[i] = Encoding.UTF8.GetBytes(schema[i].Name);
            JsonNames[i] = JsonEncodedText.Encode(schema[i].Name, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        }
    }

    public Schema Schema { get; }

    public TypePlan[] Fields { get; }

    public string[] Names { get; }

    public byte[][] Utf8Names { get; }

    public JsonEncodedText[] JsonNames { get; }
}
