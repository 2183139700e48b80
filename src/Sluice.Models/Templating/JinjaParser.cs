using System.Globalization;

namespace Sluice.Models.Templating;

/// <summary>
/// Recursive-descent parser from <see cref="JinjaLexer"/> tokens to <see cref="JinjaNode"/>s. Operator precedence is
/// Jinja's: inline <c>if</c>/<c>else</c> &lt; <c>or</c> &lt; <c>and</c> &lt; <c>not</c> &lt; comparisons and
/// <c>in</c> &lt; <c>+ -</c> &lt; <c>~</c> &lt; <c>* / // %</c> &lt; <c>**</c> &lt; unary minus &lt; filters, tests,
/// attribute, item and call.
/// </summary>
internal sealed class JinjaParser
{
    private readonly SourceText _source;
    private readonly List<JinjaToken> _tokens;
    private int _next;

    private JinjaParser(SourceText source)
    {
        _source = source;
        _tokens = JinjaLexer.Tokenize(source);
    }

    public static IReadOnlyList<JinjaNode> Parse(SourceText source)
    {
        var parser = new JinjaParser(source);
        var body = parser.ParseBody([], out _);
        return body;
    }

    private JinjaToken Current => _tokens[_next];

    private JinjaToken Take() => _tokens[_next++];

    private TemplateException Error(JinjaToken at, string reason) => _source.Error(at.Offset, reason);

    private JinjaToken Expect(JinjaTokenKind kind, string value)
    {
        var token = Current;
        if (!token.Is(kind, value))
        {
            throw Error(token, $"expected '{value}', found {token.Describe()}");
        }
        _next++;
        return token;
    }

    private string ExpectName(string what)
    {
        var token = Current;
        if (token.Kind != JinjaTokenKind.Name)
        {
            throw Error(token, $"expected {what}, found {token.Describe()}");
        }
        _next++;
        return token.Value;
    }

    private bool TakeOperator(string value)
    {
        if (Current.IsOperator(value))
        {
            _next++;
            return true;
        }
        return false;
    }

    private bool TakeName(string value)
    {
        if (Current.IsName(value))
        {
            _next++;
            return true;
        }
        return false;
    }

    /// <summary>
    /// Parses statements until a block tag named in <paramref name="ends"/> (left unconsumed after its
    /// <c>{%</c>, which is consumed) or the end of the template (an error when <paramref name="ends"/> is not empty).
    /// </summary>
    private List<JinjaNode> ParseBody(string[] ends, out string end)
    {
        var body = new List<JinjaNode>();
        while (true)
        {
            var token = Take();
            switch (token.Kind)
            {
                case JinjaTokenKind.End:
                    if (ends.Length > 0)
                    {
                        throw Error(token, $"unexpected end of template: expected {string.Join(" or ", ends.Select(e => $"'{{% {e} %}}'"))}");
                    }
                    end = "";
                    return body;
                case JinjaTokenKind.Data:
                    body.Add(new TextNode(token.Offset, token.Value));
                    break;
                case JinjaTokenKind.VariableBegin:
                    var value = ParseExpression();
                    Expect(JinjaTokenKind.VariableEnd, "}}");
                    body.Add(new OutputNode(token.Offset, value));
                    break;
                case JinjaTokenKind.BlockBegin:
                    var name = Current;
                    if (name.Kind == JinjaTokenKind.Name && ends.Contains(name.Value))
                    {
                        end = name.Value;
                        return body;
                    }
                    if (ends.Length > 0 && name.Kind == JinjaTokenKind.Name && (name.Value.StartsWith("end", StringComparison.Ordinal) || name.Value is "else" or "elif"))
                    {
                        throw Error(name, $"unexpected '{name.Value}': expected {string.Join(" or ", ends.Select(e => $"'{{% {e} %}}'"))}");
                    }
                    body.Add(ParseStatement(token));
                    break;
                default:
                    throw Error(token, $"unexpected {token.Describe()}");
            }
        }
    }

    private JinjaNode ParseStatement(JinjaToken begin)
    {
        var keyword = Current;
        var name = ExpectName("a statement name");
        switch (name)
        {
            case "if":
                return ParseIf(begin);
            case "for":
                return ParseFor(begin);
            case "set":
                return ParseSet(begin);
            case "macro":
                return ParseMacro(begin);
            case "call":
                return ParseCallBlock(begin);
            case "do":
                var value = ParseExpression();
                EndTag();
                return new DoNode(begin.Offset, value);
            default:
                throw Error(keyword, name.StartsWith("end", StringComparison.Ordinal) || name is "else" or "elif"
                    ? $"unexpected '{name}': no open block it could close"
                    : $"unknown statement '{name}' (supported: if, for, set, macro, call, do, raw)");
        }
    }

    private void EndTag() => Expect(JinjaTokenKind.BlockEnd, "%}");

    private IfNode ParseIf(JinjaToken begin)
    {
        var branches = new List<(JinjaExpr, IReadOnlyList<JinjaNode>)>();
        IReadOnlyList<JinjaNode>? otherwise = null;
        var test = ParseExpression();
        EndTag();
        while (true)
        {
            var body = ParseBody(["elif", "else", "endif"], out var end);
            Take();
            branches.Add((test, body));
            if (end == "elif")
            {
                test = ParseExpression();
                EndTag();
                continue;
            }
            EndTag();
            if (end == "else")
            {
                otherwise = ParseBody(["endif"], out _);
                Take();
                EndTag();
            }
            return new IfNode(begin.Offset, branches, otherwise);
        }
    }

    private ForNode ParseFor(JinjaToken begin)
    {
        var targets = new List<string> { ExpectName("a loop variable") };
        while (TakeOperator(","))
        {
            targets.Add(ExpectName("a loop variable"));
        }
        if (!TakeName("in"))
        {
            throw Error(Current, $"expected 'in', found {Current.Describe()}");
        }
        var iterable = ParseOr(noConditional: true);
        var filter = TakeName("if") ? ParseOr(noConditional: true) : null;
        EndTag();
        var body = ParseBody(["else", "endfor"], out var end);
        Take();
        EndTag();
        IReadOnlyList<JinjaNode>? otherwise = null;
        if (end == "else")
        {
            otherwise = ParseBody(["endfor"], out _);
            Take();
            EndTag();
        }
        return new ForNode(begin.Offset, targets, iterable, filter, body, otherwise);
    }

    private JinjaNode ParseSet(JinjaToken begin)
    {
        var targets = new List<string> { ExpectName("a variable name") };
        while (TakeOperator(","))
        {
            targets.Add(ExpectName("a variable name"));
        }
        if (Current.Kind == JinjaTokenKind.BlockEnd && targets.Count == 1)
        {
            EndTag();
            var body = ParseBody(["endset"], out _);
            Take();
            EndTag();
            return new SetBlockNode(begin.Offset, targets[0], body);
        }
        Expect(JinjaTokenKind.Operator, "=");
        var value = ParseTupleOrExpression();
        EndTag();
        return new SetNode(begin.Offset, targets, value);
    }

    private MacroNode ParseMacro(JinjaToken begin)
    {
        var name = ExpectName("a macro name");
        var parameters = new List<(string, JinjaExpr?)>();
        Expect(JinjaTokenKind.Operator, "(");
        while (!TakeOperator(")"))
        {
            if (parameters.Count > 0)
            {
                Expect(JinjaTokenKind.Operator, ",");
                if (TakeOperator(")"))
                {
                    break;
                }
            }
            var parameter = ExpectName("a parameter name");
            parameters.Add((parameter, TakeOperator("=") ? ParseExpression() : null));
        }
        EndTag();
        var body = ParseBody(["endmacro"], out _);
        Take();
        EndTag();
        return new MacroNode(begin.Offset, name, parameters, body);
    }

    private CallBlockNode ParseCallBlock(JinjaToken begin)
    {
        var at = Current;
        if (ParseExpression() is not CallExpr call)
        {
            throw Error(at, "expected a macro call after 'call'");
        }
        EndTag();
        var body = ParseBody(["endcall"], out _);
        Take();
        EndTag();
        return new CallBlockNode(begin.Offset, call, body);
    }

    /// <summary><c>a, b</c> (a tuple) or a single expression: the right side of <c>set</c>.</summary>
    private JinjaExpr ParseTupleOrExpression()
    {
        var first = ParseExpression();
        if (!Current.IsOperator(","))
        {
            return first;
        }
        var items = new List<JinjaExpr> { first };
        while (TakeOperator(","))
        {
            items.Add(ParseExpression());
        }
        return new ListExpr(first.Offset, items, IsTuple: true);
    }

    public JinjaExpr ParseExpression() => ParseOr(noConditional: false);

    private JinjaExpr ParseOr(bool noConditional)
    {
        var left = ParseAnd();
        while (Current.IsName("or"))
        {
            var op = Take();
            left = new BinaryExpr(op.Offset, "or", left, ParseAnd());
        }
        if (!noConditional && Current.IsName("if"))
        {
            Take();
            var test = ParseOr(noConditional: true);
            var otherwise = TakeName("else") ? ParseOr(noConditional: false) : null;
            return new ConditionalExpr(left.Offset, test, left, otherwise);
        }
        return left;
    }

    private JinjaExpr ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsName("and"))
        {
            var op = Take();
            left = new BinaryExpr(op.Offset, "and", left, ParseNot());
        }
        return left;
    }

    private JinjaExpr ParseNot()
    {
        if (Current.IsName("not"))
        {
            var op = Take();
            return new UnaryExpr(op.Offset, "not", ParseNot());
        }
        return ParseCompare();
    }

    private static readonly string[] s_comparisons = ["==", "!=", "<", ">", "<=", ">="];

    private JinjaExpr ParseCompare()
    {
        var left = ParseAdditive();
        while (true)
        {
            var token = Current;
            if (token.Kind == JinjaTokenKind.Operator && s_comparisons.Contains(token.Value))
            {
                Take();
                left = new BinaryExpr(token.Offset, token.Value, left, ParseAdditive());
            }
            else if (token.IsName("in"))
            {
                Take();
                left = new BinaryExpr(token.Offset, "in", left, ParseAdditive());
            }
            else if (token.IsName("not") && _tokens[_next + 1].IsName("in"))
            {
                _next += 2;
                left = new BinaryExpr(token.Offset, "not in", left, ParseAdditive());
            }
            else
            {
                return left;
            }
        }
    }

    private JinjaExpr ParseAdditive()
    {
        var left = ParseConcat();
        while (Current.IsOperator("+") || Current.IsOperator("-"))
        {
            var op = Take();
            left = new BinaryExpr(op.Offset, op.Value, left, ParseConcat());
        }
        return left;
    }

    private JinjaExpr ParseConcat()
    {
        var left = ParseMultiplicative();
        while (Current.IsOperator("~"))
        {
            var op = Take();
            left = new BinaryExpr(op.Offset, "~", left, ParseMultiplicative());
        }
        return left;
    }

    private JinjaExpr ParseMultiplicative()
    {
        var left = ParsePower();
        while (Current.Kind == JinjaTokenKind.Operator && Current.Value is "*" or "/" or "//" or "%")
        {
            var op = Take();
            left = new BinaryExpr(op.Offset, op.Value, left, ParsePower());
        }
        return left;
    }

    private JinjaExpr ParsePower()
    {
        var left = ParseUnary();
        while (Current.IsOperator("**"))
        {
            var op = Take();
            left = new BinaryExpr(op.Offset, "**", left, ParseUnary());
        }
        return left;
    }

    private JinjaExpr ParseUnary()
    {
        if (Current.IsOperator("-") || Current.IsOperator("+"))
        {
            var op = Take();
            return new UnaryExpr(op.Offset, op.Value, ParseUnary());
        }
        return ParseFilters(ParsePostfix(ParsePrimary()));
    }

    private JinjaExpr ParsePrimary()
    {
        var token = Take();
        switch (token.Kind)
        {
            case JinjaTokenKind.Name:
                return token.Value switch
                {
                    "true" or "True" => new ConstExpr(token.Offset, true),
                    "false" or "False" => new ConstExpr(token.Offset, false),
                    "none" or "None" => new ConstExpr(token.Offset, null),
                    _ => new NameExpr(token.Offset, token.Value),
                };
            case JinjaTokenKind.String:
                var text = token.Value;
                while (Current.Kind == JinjaTokenKind.String)
                {
                    text += Take().Value;
                }
                return new ConstExpr(token.Offset, text);
            case JinjaTokenKind.Integer:
                return long.TryParse(token.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var integer)
                    ? new ConstExpr(token.Offset, integer)
                    : throw Error(token, $"integer {token.Value} is out of range");
            case JinjaTokenKind.Float:
                return new ConstExpr(token.Offset, double.Parse(token.Value, CultureInfo.InvariantCulture));
            case JinjaTokenKind.Operator when token.Value == "(":
                if (TakeOperator(")"))
                {
                    return new ListExpr(token.Offset, [], IsTuple: true);
                }
                var first = ParseExpression();
                if (!Current.IsOperator(","))
                {
                    Expect(JinjaTokenKind.Operator, ")");
                    return first;
                }
                var tuple = new List<JinjaExpr> { first };
                while (TakeOperator(",") && !Current.IsOperator(")"))
                {
                    tuple.Add(ParseExpression());
                }
                Expect(JinjaTokenKind.Operator, ")");
                return new ListExpr(token.Offset, tuple, IsTuple: true);
            case JinjaTokenKind.Operator when token.Value == "[":
                var items = new List<JinjaExpr>();
                while (!TakeOperator("]"))
                {
                    if (items.Count > 0)
                    {
                        Expect(JinjaTokenKind.Operator, ",");
                        if (TakeOperator("]"))
                        {
                            break;
                        }
                    }
                    items.Add(ParseExpression());
                }
                return new ListExpr(token.Offset, items, IsTuple: false);
            case JinjaTokenKind.Operator when token.Value == "{":
                var pairs = new List<(JinjaExpr, JinjaExpr)>();
                while (!TakeOperator("}"))
                {
                    if (pairs.Count > 0)
                    {
                        Expect(JinjaTokenKind.Operator, ",");
                        if (TakeOperator("}"))
                        {
                            break;
                        }
                    }
                    var key = ParseExpression();
                    Expect(JinjaTokenKind.Operator, ":");
                    pairs.Add((key, ParseExpression()));
                }
                return new DictExpr(token.Offset, pairs);
            default:
                throw Error(token, $"expected an expression, found {token.Describe()}");
        }
    }

    private JinjaExpr ParsePostfix(JinjaExpr target)
    {
        while (true)
        {
            var token = Current;
            if (TakeOperator("."))
            {
                var name = Current;
                if (name.Kind == JinjaTokenKind.Integer)
                {
                    Take();
                    target = new ItemExpr(token.Offset, target, new ConstExpr(name.Offset, long.Parse(name.Value, CultureInfo.InvariantCulture)));
                    continue;
                }
                target = new AttributeExpr(token.Offset, target, ExpectName("an attribute name after '.'"));
            }
            else if (TakeOperator("["))
            {
                var index = ParseExpression();
                Expect(JinjaTokenKind.Operator, "]");
                target = new ItemExpr(token.Offset, target, index);
            }
            else if (TakeOperator("("))
            {
                var (arguments, keywords) = ParseArguments();
                target = new CallExpr(token.Offset, target, arguments, keywords);
            }
            else
            {
                return target;
            }
        }
    }

    /// <summary>Arguments after <c>(</c> through <c>)</c>: positional first, then <c>name=value</c>.</summary>
    private (List<JinjaExpr>, List<(string, JinjaExpr)>) ParseArguments()
    {
        var arguments = new List<JinjaExpr>();
        var keywords = new List<(string, JinjaExpr)>();
        while (!TakeOperator(")"))
        {
            if (arguments.Count + keywords.Count > 0)
            {
                Expect(JinjaTokenKind.Operator, ",");
                if (TakeOperator(")"))
                {
                    break;
                }
            }
            if (Current.Kind == JinjaTokenKind.Name && _tokens[_next + 1].IsOperator("="))
            {
                var name = Take().Value;
                Take();
                keywords.Add((name, ParseExpression()));
            }
            else
            {
                if (keywords.Count > 0)
                {
                    throw Error(Current, "a positional argument cannot follow a keyword argument");
                }
                arguments.Add(ParseExpression());
            }
        }
        return (arguments, keywords);
    }

    private JinjaExpr ParseFilters(JinjaExpr target)
    {
        while (true)
        {
            var token = Current;
            if (TakeOperator("|"))
            {
                var name = ExpectName("a filter name after '|'");
                List<JinjaExpr> arguments = [];
                List<(string, JinjaExpr)> keywords = [];
                if (TakeOperator("("))
                {
                    (arguments, keywords) = ParseArguments();
                }
                target = new FilterExpr(token.Offset, target, name, arguments, keywords);
                target = ParsePostfix(target);
            }
            else if (TakeName("is"))
            {
                var negated = TakeName("not");
                var name = ExpectName("a test name after 'is'");
                var arguments = new List<JinjaExpr>();
                if (TakeOperator("("))
                {
                    (arguments, _) = ParseArguments();
                }
                else if (Current.Kind is JinjaTokenKind.String or JinjaTokenKind.Integer or JinjaTokenKind.Float
                    || (Current.Kind == JinjaTokenKind.Name && Current.Value is not ("and" or "or" or "else" or "if" or "in" or "not" or "is")))
                {
                    arguments.Add(ParsePostfix(ParsePrimary()));
                }
                target = new TestExpr(token.Offset, target, name, arguments, negated);
            }
            else
            {
                return target;
            }
        }
    }
}
