namespace Sluice.Sql.Syntax;

/// <summary>The binary operators of SQL expressions.</summary>
internal enum SqlBinaryOperator
{
    /// <summary><c>OR</c></summary>
    Or,
    /// <summary><c>AND</c></summary>
    And,
    /// <summary><c>=</c></summary>
    Equal,
    /// <summary><c>&lt;&gt;</c> (also written <c>!=</c>)</summary>
    NotEqual,
    /// <summary><c>&lt;</c></summary>
    Less,
    /// <summary><c>&lt;=</c></summary>
    LessOrEqual,
    /// <summary><c>&gt;</c></summary>
    Greater,
    /// <summary><c>&gt;=</c></summary>
    GreaterOrEqual,
    /// <summary><c>IS DISTINCT FROM</c></summary>
    IsDistinctFrom,
    /// <summary><c>IS NOT DISTINCT FROM</c></summary>
    IsNotDistinctFrom,
    /// <summary><c>+</c></summary>
    Add,
    /// <summary><c>-</c></summary>
    Subtract,
    /// <summary><c>*</c></summary>
    Multiply,
    /// <summary><c>/</c></summary>
    Divide,
    /// <summary><c>%</c></summary>
    Modulo,
    /// <summary><c>||</c>, string concatenation</summary>
    Concat,
}

/// <summary>The prefix operators of SQL expressions.</summary>
internal enum SqlUnaryOperator
{
    /// <summary><c>NOT</c></summary>
    Not,
    /// <summary>unary <c>-</c></summary>
    Negate,
    /// <summary>unary <c>+</c></summary>
    Plus,
}

/// <summary>What <c>x IS [NOT] …</c> tests.</summary>
internal enum SqlIsTest
{
    /// <summary><c>IS NULL</c></summary>
    Null,
    /// <summary><c>IS TRUE</c></summary>
    True,
    /// <summary><c>IS FALSE</c></summary>
    False,
    /// <summary><c>IS UNKNOWN</c></summary>
    Unknown,
}

/// <summary>The kinds of DATE/TIME/TIMESTAMP literal.</summary>
internal enum SqlDateTimeKind
{
    /// <summary><c>DATE 'yyyy-MM-dd'</c></summary>
    Date,
    /// <summary><c>TIME 'HH:mm:ss[.fff]'</c></summary>
    Time,
    /// <summary><c>TIMESTAMP 'yyyy-MM-dd HH:mm:ss[.fff]'</c></summary>
    Timestamp,
    /// <summary><c>TIMESTAMP_LTZ 'yyyy-MM-dd HH:mm:ss[.fff]'</c>, in the session time zone</summary>
    TimestampLtz,
}

/// <summary>The kinds of numeric literal, as Flink types them.</summary>
internal enum SqlNumberKind
{
    /// <summary>Digits only: INT, or BIGINT, or DECIMAL when larger.</summary>
    Integer,
    /// <summary>With a decimal point: an exact DECIMAL.</summary>
    Decimal,
    /// <summary>With an exponent: a DOUBLE.</summary>
    Approximate,
}

/// <summary>Units of time, of INTERVAL qualifiers and EXTRACT.</summary>
internal enum SqlTimeUnit
{
    /// <summary><c>MILLENNIUM</c></summary>
    Millennium,
    /// <summary><c>CENTURY</c></summary>
    Century,
    /// <summary><c>DECADE</c></summary>
    Decade,
    /// <summary><c>YEAR</c></summary>
    Year,
    /// <summary><c>QUARTER</c></summary>
    Quarter,
    /// <summary><c>MONTH</c></summary>
    Month,
    /// <summary><c>WEEK</c></summary>
    Week,
    /// <summary><c>DAY</c></summary>
    Day,
    /// <summary><c>HOUR</c></summary>
    Hour,
    /// <summary><c>MINUTE</c></summary>
    Minute,
    /// <summary><c>SECOND</c></summary>
    Second,
    /// <summary><c>MILLISECOND</c></summary>
    Millisecond,
    /// <summary><c>MICROSECOND</c></summary>
    Microsecond,
    /// <summary><c>NANOSECOND</c></summary>
    Nanosecond,
    /// <summary><c>DOY</c>, day of year</summary>
    Doy,
    /// <summary><c>DOW</c>, day of week</summary>
    Dow,
    /// <summary><c>ISODOW</c></summary>
    IsoDow,
    /// <summary><c>ISOYEAR</c></summary>
    IsoYear,
    /// <summary><c>EPOCH</c></summary>
    Epoch,
}

/// <summary>The side(s) TRIM removes characters from.</summary>
internal enum SqlTrimMode
{
    /// <summary><c>BOTH</c> (the default)</summary>
    Both,
    /// <summary><c>LEADING</c></summary>
    Leading,
    /// <summary><c>TRAILING</c></summary>
    Trailing,
}

/// <summary>Set operators between queries.</summary>
internal enum SqlSetOperator
{
    /// <summary><c>UNION</c></summary>
    Union,
    /// <summary><c>INTERSECT</c></summary>
    Intersect,
    /// <summary><c>EXCEPT</c> (also written <c>MINUS</c>)</summary>
    Except,
}

/// <summary>Join types.</summary>
internal enum SqlJoinType
{
    /// <summary><c>[INNER] JOIN … ON/USING</c></summary>
    Inner,
    /// <summary><c>LEFT [OUTER] JOIN</c></summary>
    Left,
    /// <summary><c>RIGHT [OUTER] JOIN</c></summary>
    Right,
    /// <summary><c>FULL [OUTER] JOIN</c></summary>
    Full,
    /// <summary><c>CROSS JOIN</c></summary>
    Cross,
    /// <summary>A comma between FROM items: a cross join whose condition is usually in WHERE.</summary>
    Comma,
}

/// <summary>Whether a window frame counts rows or ranges of the ORDER BY value.</summary>
internal enum SqlFrameUnit
{
    /// <summary><c>ROWS</c></summary>
    Rows,
    /// <summary><c>RANGE</c></summary>
    Range,
}

/// <summary>The kinds of window frame bound.</summary>
internal enum SqlFrameBoundKind
{
    /// <summary><c>UNBOUNDED PRECEDING</c></summary>
    UnboundedPreceding,
    /// <summary><c>offset PRECEDING</c></summary>
    Preceding,
    /// <summary><c>CURRENT ROW</c></summary>
    CurrentRow,
    /// <summary><c>offset FOLLOWING</c></summary>
    Following,
    /// <summary><c>UNBOUNDED FOLLOWING</c></summary>
    UnboundedFollowing,
}

/// <summary>The kinds of catalog object DROP removes.</summary>
internal enum SqlObjectKind
{
    /// <summary><c>TABLE</c></summary>
    Table,
    /// <summary><c>VIEW</c></summary>
    View,
    /// <summary><c>FUNCTION</c></summary>
    Function,
    /// <summary><c>MATERIALIZED VIEW</c></summary>
    MaterializedView,
}
