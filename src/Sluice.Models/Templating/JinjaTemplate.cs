using System.Collections;
using System.Text;

namespace Sluice.Models.Templating;

/// <summary>
/// A parsed Jinja template (the subset <c>docs/models.md</c> lists). Parse once, render many times; rendering is
/// thread-safe as long as the globals handed in are not shared mutable state. Names that do not exist render as
/// errors naming them (printing an undefined value is an error, testing it is false), unlike Jinja's lenient default,
/// so a typo in a model fails at compile time instead of producing broken SQL.
/// </summary>
internal sealed partial class JinjaTemplate
{
    private readonly SourceText _source;
    private readonly IReadOnlyList<JinjaNode> _nodes;

    private JinjaTemplate(SourceText source, IReadOnlyList<JinjaNode> nodes)
    {
        _source = source;
        _nodes = nodes;
    }

    /// <summary>The file name errors carry (project-relative, e.g. <c>models/orders.sql</c>).</summary>
    public string File => _source.File;

    /// <summary>Parses <paramref name="text"/>; throws <see cref="TemplateException"/> naming file, line and column on a syntax error.</summary>
    public static JinjaTemplate Parse(string file, string text)
    {
        var source = new SourceText(file, text);
        return new JinjaTemplate(source, JinjaParser.Parse(source));
    }

    /// <summary>
    /// Renders with <paramref name="globals"/> as the outermost scope (read live: names added to it later, such as
    /// macros, are visible); throws <see cref="TemplateException"/> on a runtime error.
    /// </summary>
    public string Render(Dictionary<string, object?> globals)
    {
        var output = new StringBuilder();
        RenderBody(_nodes, new Scope(new Scope(globals)), output);
        return output.ToString();
    }

    /// <summary>
    /// Renders the template (a macros file) for its top-level macro definitions and adds them to
    /// <paramref name="globals"/>; the macros see every name of <paramref name="globals"/>, including ones added later.
    /// </summary>
    public void DefineMacros(Dictionary<string, object?> globals)
    {
        var scope = new Scope(new Scope(globals));
        RenderBody(_nodes, scope, new StringBuilder());
        foreach (var macro in _nodes.OfType<MacroNode>())
        {
            globals[macro.Name] = scope.Variables[macro.Name];
        }
    }

    private sealed class Scope
    {
        public Scope(Scope? parent)
        {
            Parent = parent;
            Variables = [];
        }

        public Scope(Dictionary<string, object?> globals) => Variables = globals;

        public Dictionary<string, object?> Variables { get; }

        public bool TryGet(string name, out object? value)
        {
            for (var scope = this; scope is not null; scope = scope.Parent)
            {
                if (scope.Variables.TryGetValue(name, out value))
                {
                    return true;
                }
            }
            value = null;
            return false;
        }

        public Scope? Parent { get; }

        public void Set(string name, object? value) => Variables[name] = value;
    }

    private void RenderBody(IReadOnlyList<JinjaNode> nodes, Scope scope, StringBuilder output)
    {
        foreach (var node in nodes)
        {
            try
            {
                RenderNode(node, scope, output);
            }
            catch (Exception e) when (e is not TemplateException and not OperationCanceledException)
            {
                // Whatever fails in a statement (outside its expressions, which place their own errors) is still
                // an error at the statement's file:line:col.
                throw _source.Error(node.Offset, e is JinjaCallException ? e.Message : $"{e.GetType().Name}: {e.Message}", e);
            }
        }
    }

    private void RenderNode(JinjaNode node, Scope scope, StringBuilder output)
    {
        switch (node)
        {
            case TextNode text:
                output.Append(text.Text);
                break;
            case OutputNode print:
                var value = Evaluate(print.Value, scope);
                if (value is Undefined undefined)
                {
                    throw _source.Error(print.Value.Offset, $"'{undefined.Name}' is undefined");
                }
                output.Append(JinjaValues.ToText(value));
                break;
            case IfNode branch:
                RenderIf(branch, scope, output);
                break;
            case ForNode loop:
                RenderFor(loop, scope, output);
                break;
            case SetNode set:
                Assign(set.Targets, Evaluate(set.Value, scope), scope, set.Offset);
                break;
            case SetBlockNode setBlock:
                var captured = new StringBuilder();
                RenderBody(setBlock.Body, scope, captured);
                scope.Set(setBlock.Target, captured.ToString());
                break;
            case MacroNode macro:
                scope.Set(macro.Name, DefineMacro(macro, scope));
                break;
            case CallBlockNode call:
                var body = call.Body;
                JinjaFunction caller = (_, _) =>
                {
                    var inner = new StringBuilder();
                    RenderBody(body, new Scope(scope), inner);
                    return inner.ToString();
                };
                output.Append(JinjaValues.ToText(Call(call.Call, scope, caller)));
                break;
            case DoNode statement:
                Evaluate(statement.Value, scope);
                break;
            default:
                throw new InvalidOperationException($"unknown node {node.GetType().Name}");
        }
    }

    private void RenderIf(IfNode node, Scope scope, StringBuilder output)
    {
        foreach (var (test, body) in node.Branches)
        {
            if (JinjaValues.IsTrue(Evaluate(test, scope)))
            {
                RenderBody(body, scope, output);
                return;
            }
        }
        if (node.Else is { } otherwise)
        {
            RenderBody(otherwise, scope, output);
        }
    }

    private void RenderFor(ForNode node, Scope scope, StringBuilder output)
    {
        var iterable = Evaluate(node.Iterable, scope);
        List<object?> items;
        try
        {
            items = [.. JinjaValues.Iterate(iterable)];
        }
        catch (JinjaCallException e)
        {
            throw _source.Error(node.Iterable.Offset, e.Message);
        }
        if (node.Filter is { } filter)
        {
            items = items.Where(item =>
            {
                var probe = new Scope(scope);
                Assign(node.Targets, item, probe, node.Offset);
                return JinjaValues.IsTrue(Evaluate(filter, probe));
            }).ToList();
        }
        if (items.Count == 0)
        {
            if (node.Else is { } otherwise)
            {
                RenderBody(otherwise, scope, output);
            }
            return;
        }
        for (var i = 0; i < items.Count; i++)
        {
            var inner = new Scope(scope);
            inner.Set("loop", new Dictionary<string, object?>
            {
                ["index"] = (long)(i + 1),
                ["index0"] = (long)i,
                ["revindex"] = (long)(items.Count - i),
                ["revindex0"] = (long)(items.Count - i - 1),
                ["first"] = i == 0,
                ["last"] = i == items.Count - 1,
                ["length"] = (long)items.Count,
                ["previtem"] = i > 0 ? items[i - 1] : new Undefined("loop.previtem"),
                ["nextitem"] = i < items.Count - 1 ? items[i + 1] : new Undefined("loop.nextitem"),
            });
            Assign(node.Targets, items[i], inner, node.Offset);
            RenderBody(node.Body, inner, output);
        }
    }

    private void Assign(IReadOnlyList<string> targets, object? value, Scope scope, int offset)
    {
        if (targets.Count == 1)
        {
            scope.Set(targets[0], value);
            return;
        }
        if (value is not IList list || list.Count != targets.Count)
        {
            throw _source.Error(offset, $"cannot unpack {JinjaValues.Repr(value)} into {targets.Count} names ({string.Join(", ", targets)})");
        }
        for (var i = 0; i < targets.Count; i++)
        {
            scope.Set(targets[i], list[i]);
        }
    }

    private JinjaFunction DefineMacro(MacroNode macro, Scope definition) => (arguments, keywords) =>
    {
        if (arguments.Count > macro.Parameters.Count)
        {
            throw new JinjaCallException($"macro '{macro.Name}' takes {macro.Parameters.Count} arguments, got {arguments.Count}");
        }
        var scope = new Scope(definition);
        for (var i = 0; i < macro.Parameters.Count; i++)
        {
            var (name, fallback) = macro.Parameters[i];
            if (i < arguments.Count)
            {
                scope.Set(name, arguments[i]);
            }
            else if (keywords.TryGetValue(name, out var given))
            {
                scope.Set(name, given);
            }
            else if (fallback is not null)
            {
                scope.Set(name, Evaluate(fallback, scope));
            }
            else
            {
                throw new JinjaCallException($"macro '{macro.Name}' is missing its argument '{name}'");
            }
        }
        foreach (var (name, value) in keywords)
        {
            if (name == "caller")
            {
                scope.Set("caller", value);
            }
            else if (!macro.Parameters.Any(p => p.Name == name))
            {
                throw new JinjaCallException($"macro '{macro.Name}' has no argument '{name}'");
            }
        }
        var output = new StringBuilder();
        RenderBody(macro.Body, scope, output);
        return output.ToString();
    };
}
