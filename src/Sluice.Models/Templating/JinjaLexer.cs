using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Models.Templating;

/// <summary>
/// Splits a template into <see cref="JinjaToken"/>s: text, <c>{{ … }}</c>, <c>{% … %}</c>, with <c>{# … #}</c>
/// comments dropped and <c>{% raw %}…{% endraw %}</c> kept as text. Whitespace control follows Jinja's defaults
/// (no trim_blocks, no lstrip_blocks): a <c>-</c> inside an opener (<c>{%-</c>, <c>{{-</c>, <c>{#-</c>) removes all
/// white space before the tag, one inside a closer (<c>-%}</c>, <c>-}}</c>, <c>-#}</c>) all white space after it.
/// As in Jinja, a single newline at the end of the template is dropped.
/// </summary>
internal static partial class JinjaLexer
{
    [GeneratedRegex(@"\G\{%(-?)\s*raw\s*(-?)%\}")]
    private static partial Regex RawBegin();

    [GeneratedRegex(@"\{%(-?)\s*endraw\s*(-?)%\}")]
    private static partial Regex RawEnd();

    private static readonly string[] s_operators =
        ["**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", "="];

    public static List<JinjaToken> Tokenize(SourceText source)
    {
        var text = source.Text;
        if (text.EndsWith('\n'))
        {
            text = text[..^(text.EndsWith("\r\n", StringComparison.Ordinal) ? 2 : 1)];
        }
        var tokens = new List<JinjaToken>();
        var position = 0;
        var stripNext = false;
        while (position < text.Length)
        {
            var open = NextOpener(text, position);
            var dataEnd = open < 0 ? text.Length : open;
            var stripBefore = open >= 0 && open + 2 < text.Length && text[open + 2] == '-';
            var raw = open >= 0 ? RawBegin().Match(text, open) : Match.Empty;
            if (raw.Success)
            {
                stripBefore = raw.Groups[1].Value == "-";
            }
            AddData(tokens, text, position, dataEnd, stripNext, stripBefore);
            stripNext = false;
            if (open < 0)
            {
                break;
            }
            if (raw.Success)
            {
                var end = RawEnd().Match(text, raw.Index + raw.Length);
                if (!end.Success)
                {
                    throw source.Error(open, "'{% raw %}' is never closed: expected '{% endraw %}'");
                }
                AddData(tokens, text, raw.Index + raw.Length, end.Index, raw.Groups[2].Value == "-", end.Groups[1].Value == "-");
                stripNext = end.Groups[2].Value == "-";
                position = end.Index + end.Length;
                continue;
            }
            var kind = text[open + 1];
            var inner = open + (stripBefore ? 3 : 2);
            if (kind == '#')
            {
                var close = text.IndexOf("#}", inner, StringComparison.Ordinal);
                if (close < 0)
                {
                    throw source.Error(open, "comment is never closed: expected '#}'");
                }
                stripNext = close > inner && text[close - 1] == '-';
                position = close + 2;
                continue;
            }
            var variable = kind == '{';
            tokens.Add(new JinjaToken(variable ? JinjaTokenKind.VariableBegin : JinjaTokenKind.BlockBegin, variable ? "{{" : "{%", open));
            position = LexTag(source, text, inner, variable, tokens, out stripNext);
        }
        tokens.Add(new JinjaToken(JinjaTokenKind.End, "", text.Length));
        return tokens;
    }

    private static int NextOpener(string text, int from)
    {
        for (var i = text.IndexOf('{', from); i >= 0 && i + 1 < text.Length; i = text.IndexOf('{', i + 1))
        {
            if (text[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }
        return -1;
    }

    private static void AddData(List<JinjaToken> tokens, string text, int start, int end, bool stripLeading, bool stripTrailing)
    {
        if (stripLeading)
        {
            while (start < end && char.IsWhiteSpace(text[start]))
            {
                start++;
            }
        }
        if (stripTrailing)
        {
            while (end > start && char.IsWhiteSpace(text[end - 1]))
            {
                end--;
            }
        }
        if (end > start)
        {
            tokens.Add(new JinjaToken(JinjaTokenKind.Data, text[start..end], start));
        }
    }

    /// <summary>Lexes the inside of a tag up to and including its closer; returns the offset after the closer.</summary>
    private static int LexTag(SourceText source, string text, int i, bool variable, List<JinjaToken> tokens, out bool stripAfter)
    {
        var closer = variable ? "}}" : "%}";
        var depth = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            if (i >= text.Length)
            {
                throw source.Error(text.Length, $"unexpected end of template: expected '{closer}'");
            }
            if (depth == 0 && string.CompareOrdinal(text, i, closer, 0, 2) == 0)
            {
                tokens.Add(new JinjaToken(variable ? JinjaTokenKind.VariableEnd : JinjaTokenKind.BlockEnd, closer, i));
                stripAfter = false;
                return i + 2;
            }
            if (depth == 0 && text[i] == '-' && string.CompareOrdinal(text, i + 1, closer, 0, 2) == 0)
            {
                tokens.Add(new JinjaToken(variable ? JinjaTokenKind.VariableEnd : JinjaTokenKind.BlockEnd, closer, i));
                stripAfter = true;
                return i + 3;
            }
            var c = text[i];
            if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }
                tokens.Add(new JinjaToken(JinjaTokenKind.Name, text[start..i], start));
            }
            else if (char.IsAsciiDigit(c))
            {
                i = LexNumber(text, i, tokens);
            }
            else if (c is '\'' or '"')
            {
                i = LexString(source, text, i, tokens);
            }
            else
            {
                var op = Array.Find(s_operators, o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0)
                    ?? throw source.Error(i, $"unexpected character '{c}'");
                depth += op is "(" or "[" or "{" ? 1 : op is ")" or "]" or "}" ? -1 : 0;
                depth = Math.Max(depth, 0);
                tokens.Add(new JinjaToken(JinjaTokenKind.Operator, op, i));
                i += op.Length;
            }
        }
    }

    private static int LexNumber(string text, int i, List<JinjaToken> tokens)
    {
        var start = i;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '_'))
        {
            i++;
        }
        var isFloat = false;
        if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
        {
            isFloat = true;
            i++;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '_'))
            {
                i++;
            }
        }
        if (i < text.Length && text[i] is 'e' or 'E' && i + 1 < text.Length && (char.IsAsciiDigit(text[i + 1]) || (text[i + 1] is '+' or '-' && i + 2 < text.Length && char.IsAsciiDigit(text[i + 2]))))
        {
            isFloat = true;
            i += 2;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }
        var literal = text[start..i].Replace("_", "", StringComparison.Ordinal);
        tokens.Add(new JinjaToken(isFloat ? JinjaTokenKind.Float : JinjaTokenKind.Integer, literal, start));
        return i;
    }

    private static int LexString(SourceText source, string text, int i, List<JinjaToken> tokens)
    {
        var quote = text[i];
        var start = i++;
        var value = new StringBuilder();
        while (true)
        {
            if (i >= text.Length)
            {
                throw source.Error(start, $"string is never closed: expected {quote}");
            }
            var c = text[i++];
            if (c == quote)
            {
                break;
            }
            if (c != '\\' || i >= text.Length)
            {
                value.Append(c);
                continue;
            }
            var escaped = text[i++];
            switch (escaped)
            {
                case 'n':
                    value.Append('\n');
                    break;
                case 't':
                    value.Append('\t');
                    break;
                case 'r':
                    value.Append('\r');
                    break;
                case '\\' or '\'' or '"':
                    value.Append(escaped);
                    break;
                case 'u' when i + 4 <= text.Length && int.TryParse(text.AsSpan(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code):
                    value.Append((char)code);
                    i += 4;
                    break;
                default:
                    value.Append('\\').Append(escaped);
                    break;
            }
        }
        tokens.Add(new JinjaToken(JinjaTokenKind.String, value.ToString(), start));
        return i;
    }
}
