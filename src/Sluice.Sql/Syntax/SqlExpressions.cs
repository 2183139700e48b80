using Sluice.Schemas;

namespace Sluice.Sql.Syntax;

// The expression nodes are one-line records; they share this file so the expression language reads in one place.

/// <summary>An expression: a value computed per row (or a constant).</summary>
internal abstract record SqlExpression(SqlPosition Position) : SqlNode(Position);

/// <summary>
/// A name, maybe qualified: <c>price</c>, <c>B.price</c>, <c>person.`dateTime`</c>, <c>cat.db.t</c>. Which part is a
/// table, a column or a field of a ROW column is for the binder to decide. Names keep their case (Flink's
/// identifiers are case-sensitive).
/// </summary>
/// <param name="Names">The parts, at least one, without quotes.</param>
internal sealed record SqlIdentifier(SqlList<string> Names, SqlPosition Position) : SqlExpression(Position)
{
    /// <summary>The last part: the column or object name itself.</summary>
    public string Name => Names[^1];
}

/// <summary><c>*</c> or <c>t.*</c>: all columns (in a select list) or all rows (in <c>COUNT(*)</c>).</summary>
/// <param name="Qualifier">The table (or ROW column) before <c>.*</c>; empty for a bare <c>*</c>.</param>
internal sealed record SqlStar(SqlList<string> Qualifier, SqlPosition Position) : SqlExpression(Position);

/// <summary>A numeric literal as written (unsigned; a minus sign is a <see cref="SqlUnaryExpression"/>).</summary>
/// <param name="Text">The digits as written, e.g. <c>0.908</c> or <c>1E10</c>.</param>
/// <param name="Kind">Integer, exact decimal or approximate.</param>
internal sealed record SqlNumberLiteral(string Text, SqlNumberKind Kind, SqlPosition Position) : SqlExpression(Position);

/// <summary>A character string literal.</summary>
/// <param name="Value">The string, unescaped.</param>
internal sealed record SqlStringLiteral(string Value, SqlPosition Position) : SqlExpression(Position);

/// <summary>A bytes literal <c>X'…'</c>.</summary>
/// <param name="Hex">The hex digits, upper-case, two per byte.</param>
internal sealed record SqlBinaryLiteral(string Hex, SqlPosition Position) : SqlExpression(Position)
{
    /// <summary>The bytes.</summary>
    public byte[] ToBytes() => Convert.FromHexString(Hex);
}

/// <summary><c>TRUE</c>, <c>FALSE</c>, or <c>UNKNOWN</c> (a null BOOLEAN).</summary>
/// <param name="Value">True, false, or null for UNKNOWN.</param>
internal sealed record SqlBooleanLiteral(bool? Value, SqlPosition Position) : SqlExpression(Position);

/// <summary><c>NULL</c>.</summary>
internal sealed record SqlNullLiteral(SqlPosition Position) : SqlExpression(Position);

/// <summary>
/// <c>DATE '2024-01-31'</c>, <c>TIME '12:00:00.5'</c>, <c>TIMESTAMP '2024-01-31 12:00:00'</c>,
/// <c>TIMESTAMP_LTZ '…'</c>. The parser has checked the text's format; the binder converts it.
/// </summary>
/// <param name="Kind">Which type the literal has.</param>
/// <param name="Text">The text between the quotes.</param>
internal sealed record SqlDateTimeLiteral(SqlDateTimeKind Kind, string Text, SqlPosition Position) : SqlExpression(Position);

/// <summary>
/// An interval literal: <c>INTERVAL '10' SECOND</c>, <c>INTERVAL '1:30' MINUTE TO SECOND</c>,
/// <c>INTERVAL '1-6' YEAR TO MONTH</c>. Year-month intervals carry <see cref="Months"/>, day-time intervals
/// <see cref="Time"/>; both already carry the sign.
/// </summary>
/// <param name="Text">The text between the quotes, as written (it may start with a sign).</param>
/// <param name="Negative">Whether a minus sign stood before the quoted text (<c>INTERVAL -'5' DAY</c>).</param>
/// <param name="Start">The leading unit.</param>
/// <param name="End">The trailing unit of a range qualifier (<c>MINUTE TO SECOND</c>), or null.</param>
/// <param name="Months">The value in months, for YEAR and MONTH qualifiers; otherwise 0.</param>
/// <param name="Time">The value, for DAY to SECOND qualifiers (100 ns resolution); otherwise zero.</param>
internal sealed record SqlIntervalLiteral(string Text, bool Negative, SqlTimeUnit Start, SqlTimeUnit? End, long Months, TimeSpan Time, SqlPosition Position)
    : SqlExpression(Position)
{
    /// <summary>Whether this is a YEAR/MONTH interval (otherwise a DAY…SECOND one).</summary>
    public bool IsYearMonth => Start is SqlTimeUnit.Year or SqlTimeUnit.Month;
}

/// <summary>A prefix operator: <c>NOT x</c>, <c>-x</c>, <c>+x</c>.</summary>
internal sealed record SqlUnaryExpression(SqlUnaryOperator Operator, SqlExpression Operand, SqlPosition Position) : SqlExpression(Position);

/// <summary>A binary operator: arithmetic, comparison, <c>AND</c>, <c>OR</c>, <c>||</c>, <c>IS [NOT] DISTINCT FROM</c>.</summary>
internal sealed record SqlBinaryExpression(SqlBinaryOperator Operator, SqlExpression Left, SqlExpression Right, SqlPosition Position) : SqlExpression(Position);

/// <summary><c>x IS [NOT] NULL|TRUE|FALSE|UNKNOWN</c>.</summary>
internal sealed record SqlIsExpression(SqlExpression Operand, SqlIsTest Test, bool Negated, SqlPosition Position) : SqlExpression(Position);

/// <summary><c>x [NOT] BETWEEN [SYMMETRIC] low AND high</c>.</summary>
internal sealed record SqlBetweenExpression(SqlExpression Operand, SqlExpression Low, SqlExpression High, bool Negated, bool Symmetric, SqlPosition Position)
    : SqlExpression(Position);

/// <summary><c>x [NOT] IN (a, b, …)</c>.</summary>
internal sealed record SqlInListExpression(SqlExpression Operand, SqlList<SqlExpression> Values, bool Negated, SqlPosition Position) : SqlExpression(Position);

/// <summary><c>x [NOT] IN (SELECT …)</c>.</summary>
internal sealed record SqlInQueryExpression(SqlExpression Operand, SqlQuery Query, bool Negated, SqlPosition Position) : SqlExpression(Position);

/// <summary><c>x [NOT] LIKE pattern [ESCAPE e]</c> or <c>x [NOT] SIMILAR TO pattern [ESCAPE e]</c>.</summary>
/// <param name="Similar">True for SIMILAR TO (a regular expression), false for LIKE.</param>
internal sealed record SqlLikeExpression(SqlExpression Operand, SqlExpression Pattern, SqlExpression? Escape, bool Negated, bool Similar, SqlPosition Position)
    : SqlExpression(Position);

/// <summary><c>EXISTS (SELECT …)</c>.</summary>
internal sealed record SqlExistsExpression(SqlQuery Query, SqlPosition Position) : SqlExpression(Position);

/// <summary>A subquery used as a value: <c>(SELECT max(price) FROM bid)</c>.</summary>
internal sealed record SqlSubqueryExpression(SqlQuery Query, SqlPosition Position) : SqlExpression(Position);

/// <summary>One <c>WHEN … THEN …</c> of a CASE.</summary>
internal sealed record SqlWhenClause(SqlExpression When, SqlExpression Then, SqlPosition Position) : SqlNode(Position);

/// <summary>
/// <c>CASE [operand] WHEN … THEN … [ELSE …] END</c>: simple when <see cref="Operand"/> is set (each WHEN is a
/// value compared to it), searched otherwise (each WHEN is a condition).
/// </summary>
internal sealed record SqlCaseExpression(SqlExpression? Operand, SqlList<SqlWhenClause> Whens, SqlExpression? Else, SqlPosition Position)
    : SqlExpression(Position);

/// <summary><c>CAST(x AS type)</c> or <c>TRY_CAST(x AS type)</c> (null instead of an error on failure).</summary>
internal sealed record SqlCastExpression(SqlExpression Operand, DataType Type, bool Try, SqlPosition Position) : SqlExpression(Position);

/// <summary><c>EXTRACT(unit FROM x)</c>.</summary>
internal sealed record SqlExtractExpression(SqlTimeUnit Unit, SqlExpression Operand, SqlPosition Position) : SqlExpression(Position);

/// <summary><c>TRIM([BOTH|LEADING|TRAILING] [characters] FROM x)</c> or <c>TRIM(x)</c>.</summary>
/// <param name="Characters">The characters to remove; null means spaces.</param>
internal sealed record SqlTrimExpression(SqlTrimMode Mode, SqlExpression? Characters, SqlExpression Operand, SqlPosition Position) : SqlExpression(Position);

/// <summary>
/// A function call: <c>upper(x)</c>, <c>COUNT(*)</c>, <c>COUNT(DISTINCT x) FILTER (WHERE …)</c>,
/// <c>ROW_NUMBER() OVER (…)</c>, a window TVF <c>TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND)</c>, or a
/// niladic <c>CURRENT_TIMESTAMP</c>. Function names are case-insensitive; the binder resolves them.
/// </summary>
/// <param name="Name">The function name (qualified for catalog functions).</param>
/// <param name="Arguments">The arguments: expressions, <see cref="SqlStar"/>, <see cref="SqlTableArgument"/>,
/// <see cref="SqlDescriptor"/>, <see cref="SqlNamedArgument"/>.</param>
/// <param name="Distinct">Whether <c>DISTINCT</c> came before the arguments (aggregates).</param>
/// <param name="Filter">The condition of <c>FILTER (WHERE …)</c>, or null.</param>
/// <param name="Over">The window of <c>OVER (…)</c> or <c>OVER w</c>, or null.</param>
/// <param name="Niladic">Whether the call was written without parentheses (<c>CURRENT_TIMESTAMP</c>).</param>
internal sealed record SqlFunctionCall(
    SqlIdentifier Name,
    SqlList<SqlExpression> Arguments,
    bool Distinct,
    SqlExpression? Filter,
    SqlWindowSpecification? Over,
    bool Niladic,
    SqlPosition Position) : SqlExpression(Position);

/// <summary><c>name => value</c>, a named argument of a table function (<c>DATA => TABLE bid</c>).</summary>
internal sealed record SqlNamedArgument(string Name, SqlExpression Value, SqlPosition Position) : SqlExpression(Position);

/// <summary><c>TABLE t [PARTITION BY k | PARTITION BY (k1, k2)]</c>, a table passed to a table-valued function
/// (SESSION windows take the partition keys).</summary>
/// <param name="PartitionBy">The partition keys; empty when there is no PARTITION BY.</param>
internal sealed record SqlTableArgument(SqlIdentifier Table, SqlList<SqlExpression> PartitionBy, SqlPosition Position) : SqlExpression(Position);

/// <summary><c>DESCRIPTOR(a, b)</c>, column names passed to a table-valued function.</summary>
internal sealed record SqlDescriptor(SqlList<string> Columns, SqlPosition Position) : SqlExpression(Position);

/// <summary><c>x[i]</c>: an ARRAY element (1-based) or a MAP value.</summary>
internal sealed record SqlItemExpression(SqlExpression Operand, SqlExpression Index, SqlPosition Position) : SqlExpression(Position);

/// <summary><c>(expr).field</c>: a field of a ROW value that is not a plain name (plain names are
/// <see cref="SqlIdentifier"/>s).</summary>
internal sealed record SqlFieldAccess(SqlExpression Operand, string Field, SqlPosition Position) : SqlExpression(Position);

/// <summary><c>ARRAY[a, b, …]</c>.</summary>
internal sealed record SqlArrayConstructor(SqlList<SqlExpression> Elements, SqlPosition Position) : SqlExpression(Position);

/// <summary><c>MAP[k1, v1, k2, v2, …]</c>.</summary>
/// <param name="KeysAndValues">Keys and values alternating; an even count.</param>
internal sealed record SqlMapConstructor(SqlList<SqlExpression> KeysAndValues, SqlPosition Position) : SqlExpression(Position);

/// <summary><c>ROW(a, b, …)</c>, or <c>(a, b, …)</c> with two or more values.</summary>
internal sealed record SqlRowConstructor(SqlList<SqlExpression> Fields, SqlPosition Position) : SqlExpression(Position);
