namespace Sluice.Sql.Syntax;

/// <summary>
/// The words the parser treats specially. Reserved words cannot be bare identifiers or aliases (quote them in back
/// quotes: <c>`value`</c>); contextual words are keywords only in one place (<c>DATE '…'</c>, <c>ROW(…)</c>) and
/// identifiers elsewhere. Thread-safe (immutable).
/// </summary>
internal static class SqlKeywords
{
    private static readonly HashSet<string> s_reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "ALL", "AND", "AS", "BETWEEN", "BY", "CASE", "CAST", "CREATE", "CROSS", "CURRENT_DATE", "CURRENT_TIME",
        "CURRENT_TIMESTAMP", "DISTINCT", "DROP", "ELSE", "END", "EXCEPT", "EXISTS", "FALSE", "FETCH", "FILTER", "FOR",
        "FROM", "FULL", "GROUP", "HAVING", "IN", "INNER", "INSERT", "INTERSECT", "INTO", "IS", "JOIN", "LATERAL", "LEFT",
        "LIKE", "LIMIT", "LOCALTIME", "LOCALTIMESTAMP", "MATCH_RECOGNIZE", "MINUS", "NATURAL", "NOT", "NULL", "OFFSET",
        "ON", "OR", "ORDER", "OUTER", "OVER", "PARTITION", "RIGHT", "SELECT", "SIMILAR", "TABLE", "THEN", "TRUE",
        "UNION", "UNKNOWN", "UNNEST", "USING", "VALUE", "VALUES", "WHEN", "WHERE", "WINDOW", "WITH",
    };

    // Words followed by '(' (or a string, or '[') that the parser reads as special syntax rather than a call.
    private static readonly HashSet<string> s_specialForms = new(StringComparer.OrdinalIgnoreCase)
    {
        "ARRAY", "CASE", "CAST", "DATE", "DESCRIPTOR", "EXISTS", "EXTRACT", "INTERVAL", "MAP", "NOT", "ROW", "TABLE",
        "TIME", "TIMESTAMP", "TIMESTAMP_LTZ", "TRIM", "TRY_CAST",
    };

    private static readonly HashSet<string> s_niladic = new(StringComparer.OrdinalIgnoreCase)
    {
        "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP",
    };

    /// <summary>Whether <paramref name="word"/> is reserved: it must be back-quoted to be a name.</summary>
    public static bool IsReserved(string word) => s_reserved.Contains(word);

    /// <summary>Whether <paramref name="word"/> starts special syntax when followed by '(' , '[' or a string
    /// (CAST, ROW, DATE, INTERVAL, …), so a function with that name must be back-quoted.</summary>
    public static bool IsSpecialForm(string word) => s_specialForms.Contains(word);

    /// <summary>Whether <paramref name="word"/> is a function called without parentheses (CURRENT_TIMESTAMP, …).</summary>
    public static bool IsNiladicFunction(string word) => s_niladic.Contains(word);

    /// <summary>Whether a name must be back-quoted to be read back as that name: it is not a plain identifier
    /// (letter or _, then letters, digits, _ or $), or it is reserved or special syntax.</summary>
    public static bool NeedsQuotes(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return true;
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '$'))
            {
                return true;
            }
        }
        return IsReserved(name) || IsSpecialForm(name);
    }
}
