using System.Globalization;
using Sluice.Schemas;

namespace Sluice.Sql.Expressions;

/// <summary>SQL text of constant values, for EXPLAIN and error messages.</summary>
internal static class SqlLiteralText
{
    public static string Of(object? value, DataType type) => value switch
    {
        null => type.IsNullable ? $"CAST(NULL AS {type})" : "NULL",
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        bool b => b ? "TRUE" : "FALSE",
        DateOnly d => "DATE '" + d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "'",
        TimeOnly t => "TIME '" + t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) + "'",
        DateTime t => "TIMESTAMP '" + t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) + "'",
        DateTimeOffset t => "TO_TIMESTAMP_LTZ(" + t.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + ", 3)",
        byte[] bytes => "x'" + Convert.ToHexString(bytes) + "'",
        double d => d.ToString("R", CultureInfo.InvariantCulture) + "E0",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>A value as an error message quotes it: strings in quotes, cut at 100 characters.</summary>
    public static string Quote(object? value) => value switch
    {
        null => "NULL",
        string s => "'" + (s.Length > 100 ? s[..100] + "…" : s) + "'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
