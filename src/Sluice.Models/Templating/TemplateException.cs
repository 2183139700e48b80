namespace Sluice.Models.Templating;

/// <summary>
/// A template does not parse or fails while rendering. <see cref="Exception.Message"/> starts with the position,
/// <c>file:line:column: </c>, then says what was expected or what failed (e.g.
/// <c>models/orders.sql:12:5: expected '%}', found 'endfor'</c>).
/// </summary>
internal sealed class TemplateException(string file, int line, int column, string reason, Exception? inner = null)
    : Exception($"{file}:{line}:{column}: {reason}", inner)
{
    /// <summary>The template's file name as given to <see cref="JinjaTemplate.Parse"/> (project-relative).</summary>
    public string File { get; } = file;

    /// <summary>1-based line of the offending token.</summary>
    public int Line { get; } = line;

    /// <summary>1-based column of the offending token.</summary>
    public int Column { get; } = column;

    /// <summary>The reason without the position.</summary>
    public string Reason { get; } = reason;
}
