namespace Sluice.Sql.Expressions;

/// <summary>The binary arithmetic operators.</summary>
internal enum ArithmeticOperator
{
    /// <summary><c>+</c>; also TIMESTAMP/DATE + INTERVAL.</summary>
    Add,

    /// <summary><c>-</c>; also TIMESTAMP/DATE − INTERVAL.</summary>
    Subtract,

    /// <summary><c>*</c>.</summary>
    Multiply,

    /// <summary><c>/</c>: integer division for INT and BIGINT, as in Flink.</summary>
    Divide,

    /// <summary><c>%</c> and MOD: the remainder with the dividend's sign (Java's and C#'s).</summary>
    Modulo,
}

/// <summary>The comparison operators.</summary>
internal enum ComparisonOperator
{
    /// <summary><c>=</c>.</summary>
    Equal,

    /// <summary><c>&lt;&gt;</c> (also <c>!=</c>).</summary>
    NotEqual,

    /// <summary><c>&lt;</c>.</summary>
    Less,

    /// <summary><c>&lt;=</c>.</summary>
    LessOrEqual,

    /// <summary><c>&gt;</c>.</summary>
    Greater,

    /// <summary><c>&gt;=</c>.</summary>
    GreaterOrEqual,
}

/// <summary>The two families of SQL intervals; a value of either is only ever a constant in the plan, never stored in a row.</summary>
internal enum IntervalKind
{
    /// <summary><c>INTERVAL … YEAR TO MONTH</c>: a whole number of months.</summary>
    YearToMonth,

    /// <summary><c>INTERVAL … DAY TO SECOND</c>: a length of time, held in milliseconds (Flink's resolution).</summary>
    DayToSecond,
}

/// <summary>The time units of EXTRACT, FLOOR/CEIL(… TO unit), TIMESTAMPADD and TIMESTAMPDIFF.</summary>
internal enum TimeUnit
{
    /// <summary>MILLISECOND.</summary>
    Millisecond,

    /// <summary>SECOND.</summary>
    Second,

    /// <summary>MINUTE.</summary>
    Minute,

    /// <summary>HOUR.</summary>
    Hour,

    /// <summary>DAY.</summary>
    Day,

    /// <summary>WEEK (weeks start on Monday, ISO 8601).</summary>
    Week,

    /// <summary>MONTH.</summary>
    Month,

    /// <summary>QUARTER.</summary>
    Quarter,

    /// <summary>YEAR.</summary>
    Year,
}

internal static class OperatorText
{
    public static string Of(ArithmeticOperator op) => op switch
    {
        ArithmeticOperator.Add => "+",
        ArithmeticOperator.Subtract => "-",
        ArithmeticOperator.Multiply => "*",
        ArithmeticOperator.Divide => "/",
        _ => "%",
    };

    public static string Of(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.NotEqual => "<>",
        ComparisonOperator.Less => "<",
        ComparisonOperator.LessOrEqual => "<=",
        ComparisonOperator.Greater => ">",
        _ => ">=",
    };
}
