using Sluice.Schemas;

namespace Sluice.Sql.Expressions;

internal static partial class BoundExpressions
{
    /// <summary><c>operand [NOT] IN (values…)</c>: the operand and the values are cast to their common type.</summary>
    /// <exception cref="SqlException">The list is empty or a value has no common type with the others.</exception>
    public static BoundExpression In(BoundExpression operand, IReadOnlyList<BoundExpression> values, bool negated = false, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(operand);
        ArgumentNullException.ThrowIfNull(values);
        var name = negated ? "NOT IN" : "IN";
        position ??= operand.Position;
        if (values.Count == 0)
        {
            throw new SqlException($"{name} needs at least one value in its list.", position);
        }
        var all = new BoundExpression[values.Count + 1];
        all[0] = operand;
        for (var i = 0; i < values.Count; i++)
        {
            all[i + 1] = values[i];
        }
        var common = CommonOf(all, name, position);
        var nullable = false;
        var coerced = new BoundExpression[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            coerced[i] = Coerce(values[i], common);
            nullable |= coerced[i].Type.IsNullable;
        }
        var subject = Coerce(operand, common);
        return new InExpression(subject, coerced, negated, DataType.Boolean.WithNullability(nullable || subject.Type.IsNullable), position);
    }

    /// <summary><c>operand [NOT] BETWEEN low AND high</c>: all three are cast to their common type.</summary>
    /// <exception cref="SqlException">The three have no common type, or it has no order.</exception>
    public static BoundExpression Between(BoundExpression operand, BoundExpression low, BoundExpression high, bool negated = false, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(operand);
        var name = negated ? "NOT BETWEEN" : "BETWEEN";
        position ??= operand.Position;
        var common = CommonOf([operand, low, high], name, position);
        if (common.Kind is DataTypeKind.Array or DataTypeKind.Map or DataTypeKind.Row)
        {
            throw new SqlException($"{name} cannot order {common} values.", position);
        }
        return new BetweenExpression(Coerce(operand, common), Coerce(low, common), Coerce(high, common), negated, position);
    }

    /// <summary><c>operand [NOT] LIKE pattern [ESCAPE escape]</c>; all VARCHAR.</summary>
    /// <exception cref="SqlException">An operand is not VARCHAR.</exception>
    public static BoundExpression Like(BoundExpression operand, BoundExpression pattern, BoundExpression? escape = null, bool negated = false, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(operand);
        ArgumentNullException.ThrowIfNull(pattern);
        var name = negated ? "NOT LIKE" : "LIKE";
        return new LikeExpression(String(operand, name), String(pattern, name), escape is null ? null : String(escape, name), negated, position ?? operand.Position);
    }

    /// <summary>
    /// <c>CASE WHEN conditions[i] THEN results[i] … ELSE elseResult END</c> (a NULL ELSE when <paramref name="elseResult"/>
    /// is null). For the simple form <c>CASE x WHEN v …</c>, pass <c>Compare(Equal, x, v)</c> conditions. Results are
    /// cast to their common type; the CASE is nullable when a result is or there is no ELSE.
    /// </summary>
    /// <exception cref="SqlException">A condition is not BOOLEAN, or the results have no common type.</exception>
    public static BoundExpression Case(IReadOnlyList<BoundExpression> conditions, IReadOnlyList<BoundExpression> results, BoundExpression? elseResult = null, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        ArgumentNullException.ThrowIfNull(results);
        if (conditions.Count == 0 || conditions.Count != results.Count)
        {
            throw new ArgumentException($"CASE needs one or more WHEN branches and one result per condition (got {conditions.Count} and {results.Count}).", nameof(results));
        }
        position ??= conditions[0].Position;
        var all = new BoundExpression[results.Count + (elseResult is null ? 0 : 1)];
        for (var i = 0; i < results.Count; i++)
        {
            all[i] = results[i];
        }
        if (elseResult is not null)
        {
            all[^1] = elseResult;
        }
        var common = CommonOf(all, "CASE", position);
        var typedConditions = new BoundExpression[conditions.Count];
        var typedResults = new BoundExpression[results.Count];
        var nullable = elseResult is null;
        for (var i = 0; i < conditions.Count; i++)
        {
            typedConditions[i] = Boolean(conditions[i], "CASE WHEN");
            typedResults[i] = Coerce(results[i], common);
            nullable |= typedResults[i].Type.IsNullable;
        }
        var typedElse = elseResult is null ? new LiteralExpression(null, common.Nullable(), false, position) : Coerce(elseResult, common);
        nullable |= typedElse.Type.IsNullable;
        return new CaseExpression(typedConditions, typedResults, typedElse, common.WithNullability(nullable), position);
    }

    /// <summary><c>IF(condition, then, else)</c>: a CASE with one branch.</summary>
    public static BoundExpression If(BoundExpression condition, BoundExpression then, BoundExpression otherwise, SqlPosition? position = null) =>
        Case([condition], [then], otherwise, position);

    /// <summary><c>NULLIF(value, other)</c>: NULL when the two are equal, else <paramref name="value"/> (as a CASE).</summary>
    public static BoundExpression NullIf(BoundExpression value, BoundExpression other, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Case([Compare(ComparisonOperator.Equal, value, other, position)], [Null(position)], value, position);
    }

    /// <summary><c>COALESCE(items…)</c>: cast to their common type; NOT NULL when any item is.</summary>
    /// <exception cref="SqlException">No items, or no common type.</exception>
    public static BoundExpression Coalesce(IReadOnlyList<BoundExpression> items, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            throw new SqlException("COALESCE needs at least one argument.", position);
        }
        position ??= items[0].Position;
        var all = new BoundExpression[items.Count];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = items[i];
        }
        var common = CommonOf(all, "COALESCE", position);
        var nullable = true;
        var coerced = new BoundExpression[all.Length];
        for (var i = 0; i < all.Length; i++)
        {
            coerced[i] = Coerce(all[i], common);
            nullable &= coerced[i].Type.IsNullable;
        }
        return new CoalesceExpression(coerced, common.WithNullability(nullable), position);
    }

    /// <summary><c>ARRAY[e1, …]</c>: elements of their common type (nullable when any element is); the array is NOT NULL.</summary>
    /// <exception cref="SqlException">No element, or elements of types with no common type.</exception>
    public static BoundExpression ArrayOf(IReadOnlyList<BoundExpression> elements, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(elements);
        if (elements.Count == 0)
        {
            throw new SqlException("ARRAY[] needs at least one element; for an empty array CAST an array to the type.", position);
        }
        var items = elements.ToArray();
        var element = CommonOf(items, "ARRAY[…]", position ?? items[0].Position);
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = Coerce(items[i], element);
        }
        return new ConstructorExpression(items, DataType.Array(element).NotNull(), position ?? items[0].Position);
    }

    /// <summary>
    /// <c>MAP[k1, v1, …]</c>: keys of their common type (NOT NULL: a NULL key fails the row), values of theirs; the map
    /// is NOT NULL. A repeated key keeps its last value.
    /// </summary>
    /// <exception cref="SqlException">No pair, an odd number of items, or keys (values) with no common type.</exception>
    public static BoundExpression MapOf(IReadOnlyList<BoundExpression> keysAndValues, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(keysAndValues);
        if (keysAndValues.Count == 0 || keysAndValues.Count % 2 != 0)
        {
            throw new SqlException($"MAP[…] takes key, value pairs; it has {keysAndValues.Count} item{(keysAndValues.Count == 1 ? "" : "s")}.", position);
        }
        position ??= keysAndValues[0].Position;
        var keys = new BoundExpression[keysAndValues.Count / 2];
        var values = new BoundExpression[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = keysAndValues[2 * i];
            values[i] = keysAndValues[(2 * i) + 1];
        }
        var keyType = CommonOf(keys, "MAP[…] keys", position);
        var valueType = CommonOf(values, "MAP[…] values", position);
        var items = new BoundExpression[keysAndValues.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            items[2 * i] = Coerce(keys[i], keyType);
            items[(2 * i) + 1] = Coerce(values[i], valueType);
        }
        return new ConstructorExpression(items, DataType.Map(keyType, valueType).NotNull(), position);
    }

    /// <summary><c>ROW(e1, …)</c>: a NOT NULL row whose fields are named <c>EXPR$0</c>, <c>EXPR$1</c>… (Flink's names) and typed as the operands.</summary>
    /// <exception cref="SqlException">No field, or a field that is a bare NULL (its type is unknown).</exception>
    public static BoundExpression RowOf(IReadOnlyList<BoundExpression> fields, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Count == 0)
        {
            throw new SqlException("ROW() needs at least one field.", position);
        }
        position ??= fields[0].Position;
        var schema = new Field[fields.Count];
        var items = new BoundExpression[fields.Count];
        for (var i = 0; i < items.Length; i++)
        {
            RequireValue(fields[i], "ROW(…)");
            if (fields[i] is LiteralExpression { IsUntypedNull: true })
            {
                throw new SqlException($"Field {i + 1} of ROW(…) is a bare NULL, whose type is unknown; CAST it to a type.", fields[i].Position ?? position);
            }
            items[i] = fields[i];
            schema[i] = new Field($"EXPR${i}", fields[i].Type);
        }
        return new ConstructorExpression(items, DataType.Row(schema).NotNull(), position);
    }

    /// <summary><c>value.field</c> on a ROW: nullable when the row is.</summary>
    /// <exception cref="SqlException">The value is not a ROW, or has no such field (the message lists the closest).</exception>
    public static BoundExpression FieldAccess(BoundExpression row, string field, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(field);
        position ??= row.Position;
        if (row.Type.Kind != DataTypeKind.Row || row is IntervalLiteral)
        {
            throw new SqlException($"Field access '.{field}' needs a ROW value, not {row.TypeName}.", position);
        }
        var fields = row.Type.Fields!;
        var index = fields.IndexOf(field);
        if (index < 0)
        {
            throw new SqlException($"The ROW {row.Type} has no field '{field}'.{NameSuggestions.DidYouMean(field, FieldNames(fields), orNearest: true)}", position);
        }
        return new FieldAccessExpression(row, index, fields[index].Type.WithNullability(fields[index].Type.IsNullable || row.Type.IsNullable), position);
    }

    /// <summary>
    /// <c>array[index]</c> (a 1-based INT index) or <c>map[key]</c> (cast to the key type); the result is always nullable.
    /// </summary>
    /// <exception cref="SqlException">The value is not an ARRAY or MAP, or the index does not fit.</exception>
    public static BoundExpression Element(BoundExpression collection, BoundExpression key, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(key);
        position ??= collection.Position;
        RequireValue(key, "[]");
        switch (collection.Type.Kind)
        {
            case DataTypeKind.Array when collection is not IntervalLiteral:
                if (key is not LiteralExpression { IsUntypedNull: true } && key.Type.Kind != DataTypeKind.Int)
                {
                    throw new SqlException($"An ARRAY index must be INT, not {key.TypeName}.", key.Position ?? position);
                }
                return new ElementAccessExpression(collection, Coerce(key, DataType.Int), collection.Type.ElementType!.Nullable(), position);
            case DataTypeKind.Map:
                var keyType = collection.Type.KeyType!;
                if (key is not LiteralExpression { IsUntypedNull: true } && !SqlTypeRules.CanImplicitlyCast(key.Type, keyType))
                {
                    throw new SqlException($"The key of {collection.Type} is {keyType.NotNull()}; a {key.TypeName} cannot look it up.", key.Position ?? position);
                }
                return new ElementAccessExpression(collection, Coerce(key, keyType), collection.Type.ValueType!.Nullable(), position);
            default:
                throw new SqlException($"The operator '[]' needs an ARRAY or MAP value, not {collection.TypeName}.", position);
        }
    }

    /// <summary>
    /// A call of <paramref name="name"/> through <paramref name="catalog"/>: the overload is resolved by the argument
    /// types (<see cref="FunctionCatalog.Resolve"/>) and the arguments cast to its parameters.
    /// </summary>
    /// <exception cref="SqlException">No such function, or no overload takes these argument types.</exception>
    public static BoundExpression Call(FunctionCatalog catalog, string name, IReadOnlyList<BoundExpression> arguments, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(name);
        switch (name.ToUpperInvariant())
        {
            case "COALESCE":
                return Coalesce(arguments, position);
            case "IF" when arguments.Count == 3:
                return If(arguments[0], arguments[1], arguments[2], position);
            case "NULLIF" when arguments.Count == 2:
                return NullIf(arguments[0], arguments[1], position);
            case "MOD" when arguments.Count == 2:
                return Arithmetic(ArithmeticOperator.Modulo, arguments[0], arguments[1], position);
            case "IF" or "NULLIF" or "MOD":
                throw new SqlException($"{name.ToUpperInvariant()} takes {(name.Equals("IF", StringComparison.OrdinalIgnoreCase) ? 3 : 2)} arguments, not {arguments.Count}.", position);
            default:
                break;
        }
        var types = new DataType?[arguments.Count];
        for (var i = 0; i < types.Length; i++)
        {
            RequireValue(arguments[i], name.ToUpperInvariant());
            types[i] = arguments[i] is LiteralExpression { IsUntypedNull: true } ? null : arguments[i].Type;
        }
        var overload = catalog.Resolve(name, types, position);
        return overload.Bind(arguments, position);
    }

    /// <summary>
    /// <c>JSON_VALUE(json, path RETURNING type)</c>: the scalar at the path converted to <paramref name="returning"/>;
    /// NULL when it is missing or does not convert (Flink's default NULL ON EMPTY / NULL ON ERROR).
    /// </summary>
    public static BoundExpression JsonValue(FunctionCatalog catalog, BoundExpression json, BoundExpression path, DataType returning, SqlPosition? position = null)
    {
        var text = Call(catalog, "JSON_VALUE", [json, path], position);
        return returning.Kind == DataTypeKind.Varchar ? text : Cast(text, returning, isTry: true, position);
    }

    /// <summary>The common type of operands where a bare NULL takes the others' type.</summary>
    private static DataType CommonOf(BoundExpression[] operands, string name, SqlPosition? position)
    {
        DataType? common = null;
        BoundExpression? first = null;
        var sawNull = false;
        foreach (var operand in operands)
        {
            ArgumentNullException.ThrowIfNull(operand);
            RequireValue(operand, name);
            if (operand is LiteralExpression { IsUntypedNull: true })
            {
                sawNull = true;
                continue;
            }
            if (common is null)
            {
                common = operand.Type;
                first = operand;
                continue;
            }
            common = SqlTypeRules.CommonType(common, operand.Type)
                ?? throw new SqlException($"{name} cannot mix {first!.TypeName} and {operand.TypeName}; CAST them to one type.", operand.Position ?? position);
        }
        if (common is null)
        {
            throw new SqlException($"{name} has only untyped NULLs; CAST one of them to a type.", position);
        }
        return sawNull ? common.Nullable() : common;
    }

    private static BoundExpression String(BoundExpression operand, string name)
    {
        RequireValue(operand, name);
        if (operand is LiteralExpression { IsUntypedNull: true })
        {
            return Coerce(operand, DataType.Varchar);
        }
        if (operand.Type.Kind != DataTypeKind.Varchar)
        {
            throw new SqlException($"{name} takes VARCHAR operands, not {operand.TypeName}.", operand.Position);
        }
        return operand;
    }
}
