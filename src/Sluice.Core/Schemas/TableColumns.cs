using System.Reflection;
using System.Text;

namespace Sluice.Schemas;

/// <summary>
/// How a record type becomes the columns of a warehouse table, the same for every table sink (DuckDB, PostgreSQL):
/// the fields <see cref="RowConverter{T}"/> maps, named in snake_case (<c>EventId</c> → <c>event_id</c>), nullable
/// exactly when the property's CLR type is (a reference type or <see cref="Nullable{T}"/>), and a <see cref="decimal"/>
/// without a <see cref="DataTypeHintAttribute"/> as <c>DECIMAL(18, 4)</c>.
/// </summary>
public static class TableColumns
{
    /// <summary>The precision of a <see cref="decimal"/> column without a type hint.</summary>
    public const int DefaultDecimalPrecision = 18;

    /// <summary>The scale of a <see cref="decimal"/> column without a type hint.</summary>
    public const int DefaultDecimalScale = 4;

    /// <summary>
    /// The converter between <typeparamref name="T"/> and rows of its table columns; its
    /// <see cref="RowConverter{T}.Properties"/> are in column order.
    /// </summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is <see cref="Row"/> (rows carry no schema of their type),
    /// has no public properties, or two properties map to one column name.</exception>
    public static RowConverter<T> For<T>()
    {
        if (typeof(T) == typeof(Row))
        {
            throw new ArgumentException("Rows carry no schema of their own type: give the table sink an explicit Schema.", nameof(T));
        }
        var mapped = RowConverter<T>.Default;
        var fields = new Field[mapped.Schema.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            var property = mapped.Properties[i];
            var type = mapped.Schema[i].Type;
            if (type.Kind == DataTypeKind.Decimal && (property.PropertyType == typeof(decimal) || property.PropertyType == typeof(decimal?)) && !HasHint(property))
            {
                type = DataType.Decimal(DefaultDecimalPrecision, DefaultDecimalScale);
            }
            var clrNullable = !property.PropertyType.IsValueType || Nullable.GetUnderlyingType(property.PropertyType) is not null;
            fields[i] = new Field(ToSnakeCase(mapped.Schema[i].Name), type.WithNullability(clrNullable));
            for (var j = 0; j < i; j++)
            {
                if (fields[i].Name == fields[j].Name)
                {
                    throw new ArgumentException($"Type {typeof(T).Name} maps two properties to the column '{fields[i].Name}'.", nameof(T));
                }
            }
        }
        return RowConverter<T>.ForSchema(new Schema(fields));
    }

    /// <summary><c>EventId</c> → <c>event_id</c>, <c>HTTPStatus</c> → <c>http_status</c>, <c>Url2</c> → <c>url2</c>, <c>Spend10m</c> → <c>spend_10m</c>.</summary>
    public static string ToSnakeCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previousIsLowerOrDigit = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var acronymEnds = i > 0 && char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1]);
                if ((previousIsLowerOrDigit || acronymEnds) && builder.Length > 0 && builder[^1] != '_')
                {
                    builder.Append('_');
                }
                builder.Append(char.ToLowerInvariant(c));
            }
            else if (char.IsDigit(c) && i > 0 && char.IsLower(name[i - 1]) && UnitSuffixFollows(name, i) && builder[^1] != '_')
            {
                // A number with a unit after a word ("Spend10m", "Last24h") reads as its own word: spend_10m.
                builder.Append('_').Append(c);
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    private static bool UnitSuffixFollows(string name, int digitStart)
    {
        var i = digitStart;
        while (i < name.Length && char.IsDigit(name[i]))
        {
            i++;
        }
        return i < name.Length && char.IsLower(name[i]);
    }

    // On the property, or on the positional record parameter that declares it.
    private static bool HasHint(PropertyInfo property) =>
        property.GetCustomAttribute<DataTypeHintAttribute>() is not null
        || property.DeclaringType!.GetConstructors().Any(c => c.GetParameters().Any(p => p.Name == property.Name && p.GetCustomAttribute<DataTypeHintAttribute>() is not null));
}
