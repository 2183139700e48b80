namespace Sluice.Models.Templating;

/// <summary>Kinds of <see cref="JinjaToken"/>.</summary>
internal enum JinjaTokenKind
{
    /// <summary>Literal template text between tags (whitespace control already applied).</summary>
    Data,
    /// <summary><c>{{</c> or <c>{{-</c>.</summary>
    VariableBegin,
    /// <summary><c>}}</c> or <c>-}}</c>.</summary>
    VariableEnd,
    /// <summary><c>{%</c> or <c>{%-</c>.</summary>
    BlockBegin,
    /// <summary><c>%}</c> or <c>-%}</c>.</summary>
    BlockEnd,
    /// <summary>An identifier (keywords such as <c>if</c>, <c>and</c>, <c>true</c> included).</summary>
    Name,
    /// <summary>A quoted string; <see cref="JinjaToken.Value"/> is unescaped.</summary>
    String,
    /// <summary>An integer literal.</summary>
    Integer,
    /// <summary>A floating-point literal.</summary>
    Float,
    /// <summary>An operator or punctuation: <c>+ - * / // % ** ~ == != &lt; &gt; &lt;= &gt;= ( ) [ ] { } , . : | =</c>.</summary>
    Operator,
    /// <summary>End of the template.</summary>
    End,
}

/// <summary>One lexical token: kind, text (unescaped for strings) and offset into the template.</summary>
internal readonly record struct JinjaToken(JinjaTokenKind Kind, string Value, int Offset)
{
    public bool Is(JinjaTokenKind kind, string value) => Kind == kind && Value == value;

    public bool IsName(string value) => Is(JinjaTokenKind.Name, value);

    public bool IsOperator(string value) => Is(JinjaTokenKind.Operator, value);

    /// <summary>How the token reads in an error message: <c>'%}'</c>, <c>'endfor'</c>, <c>end of template</c>.</summary>
    public string Describe() => Kind switch
    {
        JinjaTokenKind.End => "end of template",
        JinjaTokenKind.Data => "template text",
        JinjaTokenKind.String => $"string '{Value}'",
        _ => $"'{Value}'",
    };
}
