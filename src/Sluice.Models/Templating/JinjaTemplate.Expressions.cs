using System.Collections;

namespace Sluice.Models.Templating;

internal sealed partial class JinjaTemplate
{
    private object? Evaluate(JinjaExpr expression, Scope scope)
    {
        try
        {
            return EvaluateCore(expression, scope);
        }
        catch (JinjaCallException e)
        {
            throw _source.Error(expression.Offset, e.Message);
        }
        catch (Exception e) when (e is not TemplateException and not OperationCanceledException)
        {
            // E.g. sorting a mixed list or a bad format string: still an error at this expression's file:line:col.
            throw _source.Error(expression.Offset, $"{e.GetType().Name}: {e.Message}", e);
        }
    }

    private object? EvaluateCore(JinjaExpr expression, Scope scope)
    {
        switch (expression)
        {
            case ConstExpr constant:
                return constant.Value;
            case NameExpr name:
                return scope.TryGet(name.Name, out var value) ? value
                    : s_builtins.TryGetValue(name.Name, out var builtin) ? builtin
                    : new Undefined(name.Name);
            case ListExpr list:
                return list.Items.Select(item => Evaluate(item, scope)).ToList();
            case DictExpr dict:
                var result = new Dictionary<string, object?>();
                foreach (var (key, item) in dict.Items)
                {
                    result[Evaluate(key, scope) as string ?? throw _source.Error(key.Offset, "dict keys must be strings")] = Evaluate(item, scope);
                }
                return result;
            case AttributeExpr attribute:
                return GetAttribute(Evaluate(attribute.Target, scope), attribute.Name, Describe(attribute.Target));
            case ItemExpr item:
                return GetItem(Evaluate(item.Target, scope), Evaluate(item.Index, scope), Describe(item.Target));
            case CallExpr call:
                return Call(call, scope, null);
            case FilterExpr filter:
                return JinjaFilters.Apply(filter.Name, Evaluate(filter.Target, scope),
                    [.. filter.Arguments.Select(a => Evaluate(a, scope))],
                    filter.Keywords.ToDictionary(k => k.Name, k => Evaluate(k.Value, scope)));
            case TestExpr test:
                var tested = JinjaFilters.Test(test.Name, Evaluate(test.Target, scope), [.. test.Arguments.Select(a => Evaluate(a, scope))]);
                return tested != test.Negated;
            case UnaryExpr unary:
                var operand = Evaluate(unary.Operand, scope);
                return unary.Operator switch
                {
                    "not" => !JinjaValues.IsTrue(operand),
                    "-" => operand is long l ? -l : (object)-JinjaValues.ToDouble(Defined(operand)),
                    _ => operand is long or double ? operand : JinjaValues.ToDouble(Defined(operand)),
                };
            case BinaryExpr binary:
                return EvaluateBinary(binary, scope);
            case ConditionalExpr conditional:
                return JinjaValues.IsTrue(Evaluate(conditional.Test, scope))
                    ? Evaluate(conditional.Then, scope)
                    : conditional.Else is { } otherwise ? Evaluate(otherwise, scope) : "";
            default:
                throw new InvalidOperationException($"unknown expression {expression.GetType().Name}");
        }
    }

    /// <summary>Globals every template sees unless its own globals or variables shadow them.</summary>
    private static readonly Dictionary<string, object?> s_builtins = new(StringComparer.Ordinal)
    {
        ["range"] = (JinjaFunction)Range,
    };

    /// <summary>The most items <c>range</c> produces (as Jinja's sandbox), so a typo cannot exhaust memory.</summary>
    internal const long MaxRange = 100_000;

    /// <summary>Python's <c>range(stop)</c> / <c>range(start, stop[, step])</c> of integers, as a list.</summary>
    private static object? Range(IReadOnlyList<object?> arguments, IReadOnlyDictionary<string, object?> keywords)
    {
        if (arguments.Count is < 1 or > 3 || keywords.Count > 0 || arguments.Any(a => a is not long))
        {
            throw new JinjaCallException("range takes one to three integers: range(stop) or range(start, stop[, step])");
        }
        var (start, stop) = arguments.Count == 1 ? (0L, (long)arguments[0]!) : ((long)arguments[0]!, (long)arguments[1]!);
        var step = arguments.Count == 3 ? (long)arguments[2]! : 1L;
        if (step == 0)
        {
            throw new JinjaCallException("range() step must not be zero");
        }
        var count = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
        if (count > MaxRange)
        {
            throw new JinjaCallException($"range() would produce {count} items, more than the limit of {MaxRange}");
        }
        var result = new List<object?>((int)Math.Max(0, count));
        for (var i = 0L; i < count; i++)
        {
            result.Add(start + (i * step));
        }
        return result;
    }

    private static object? Defined(object? value) =>
        value is Undefined u ? throw new JinjaCallException($"'{u.Name}' is undefined") : value;

    private static string Describe(JinjaExpr expression) => expression switch
    {
        NameExpr name => name.Name,
        AttributeExpr attribute => Describe(attribute.Target) + "." + attribute.Name,
        ItemExpr item => Describe(item.Target) + "[…]",
        CallExpr call => Describe(call.Function) + "(…)",
        _ => "value",
    };

    private object? EvaluateBinary(BinaryExpr binary, Scope scope)
    {
        var left = Evaluate(binary.Left, scope);
        switch (binary.Operator)
        {
            case "and":
                return JinjaValues.IsTrue(left) ? Evaluate(binary.Right, scope) : left;
            case "or":
                return JinjaValues.IsTrue(left) ? left : Evaluate(binary.Right, scope);
        }
        var right = Evaluate(binary.Right, scope);
        try
        {
            return binary.Operator switch
            {
                "==" => JinjaValues.AreEqual(left, right),
                "!=" => !JinjaValues.AreEqual(left, right),
                "<" => JinjaValues.Compare(Defined(left), Defined(right)) < 0,
                ">" => JinjaValues.Compare(Defined(left), Defined(right)) > 0,
                "<=" => JinjaValues.Compare(Defined(left), Defined(right)) <= 0,
                ">=" => JinjaValues.Compare(Defined(left), Defined(right)) >= 0,
                "in" => JinjaValues.Contains(Defined(right), left),
                "not in" => !JinjaValues.Contains(Defined(right), left),
                "~" => JinjaValues.ToText(Defined(left)) + JinjaValues.ToText(Defined(right)),
                _ => Arithmetic(binary.Operator, Defined(left), Defined(right)),
            };
        }
        catch (JinjaCallException e)
        {
            throw _source.Error(binary.Offset, e.Message);
        }
    }

    private static object? Arithmetic(string op, object? left, object? right)
    {
        switch (op, left, right)
        {
            case ("+", string a, string b):
                return a + b;
            case ("+", IList a, IList b):
                return a.Cast<object?>().Concat(b.Cast<object?>()).ToList();
            case ("*", string a, long n):
                return string.Concat(Enumerable.Repeat(a, (int)Math.Max(0, n)));
            case (_, long a, long b):
                return op switch
                {
                    "+" => (object)(a + b),
                    "-" => a - b,
                    "*" => a * b,
                    "/" => b == 0 ? throw new JinjaCallException("division by zero") : (double)a / b,
                    "//" => b == 0 ? throw new JinjaCallException("division by zero") : (long)Math.Floor((double)a / b),
                    "%" => b == 0 ? throw new JinjaCallException("division by zero") : ((a % b) + b) % b,
                    _ => b >= 0 ? (object)(long)Math.Pow(a, b) : Math.Pow(a, b),
                };
            case (_, long or double, long or double):
                var x = JinjaValues.ToDouble(left);
                var y = JinjaValues.ToDouble(right);
                return op switch
                {
                    "+" => x + y,
                    "-" => x - y,
                    "*" => x * y,
                    "/" => y == 0 ? throw new JinjaCallException("division by zero") : x / y,
                    "//" => y == 0 ? throw new JinjaCallException("division by zero") : Math.Floor(x / y),
                    "%" => y == 0 ? throw new JinjaCallException("division by zero") : x - (y * Math.Floor(x / y)),
                    _ => Math.Pow(x, y),
                };
            default:
                throw new JinjaCallException($"unsupported operand types for {op}: {JinjaValues.TypeName(left)} and {JinjaValues.TypeName(right)}");
        }
    }

    private object? Call(CallExpr call, Scope scope, JinjaFunction? caller)
    {
        var function = Evaluate(call.Function, scope);
        var arguments = call.Arguments.Select(a => Evaluate(a, scope)).ToList();
        var keywords = call.Keywords.ToDictionary(k => k.Name, k => Evaluate(k.Value, scope));
        if (caller is not null)
        {
            keywords["caller"] = caller;
        }
        if (function is not JinjaFunction callable)
        {
            throw _source.Error(call.Offset, function is Undefined u ? $"'{u.Name}' is undefined" : $"'{Describe(call.Function)}' is a {JinjaValues.TypeName(function)}, not a function");
        }
        try
        {
            return callable(arguments, keywords);
        }
        catch (JinjaCallException e)
        {
            throw _source.Error(call.Function.Offset, e.Message);
        }
    }

    private static object? GetItem(object? target, object? index, string what) => (target, index) switch
    {
        (Dictionary<string, object?> dict, string key) => dict.TryGetValue(key, out var value) ? value : new Undefined($"{what}['{key}']"),
        (IList list, long i) => i >= -list.Count && i < list.Count ? list[(int)(i < 0 ? i + list.Count : i)] : new Undefined($"{what}[{i}]"),
        (string s, long i) => i >= -s.Length && i < s.Length ? s[(int)(i < 0 ? i + s.Length : i)].ToString() : new Undefined($"{what}[{i}]"),
        (IJinjaObject host, string key) => host.TryGetAttribute(key, out var value) ? value : new Undefined($"{what}.{key}"),
        (Undefined u, _) => throw new JinjaCallException($"'{u.Name}' is undefined"),
        _ => new Undefined($"{what}[{JinjaValues.Repr(index)}]"),
    };

    private static object? GetAttribute(object? target, string name, string what)
    {
        if (target is Undefined u)
        {
            throw new JinjaCallException($"'{u.Name}' is undefined");
        }
        if (JinjaMethods.TryBind(target, name, out var method))
        {
            return method;
        }
        return target switch
        {
            IJinjaObject host => host.TryGetAttribute(name, out var value) ? value : new Undefined($"{what}.{name}"),
            Dictionary<string, object?> dict => dict.TryGetValue(name, out var value) ? value : new Undefined($"{what}.{name}"),
            _ => new Undefined($"{what}.{name}"),
        };
    }
}
