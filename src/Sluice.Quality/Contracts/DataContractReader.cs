using System.Globalization;
using Sluice.Schemas;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sluice.Quality;

/// <summary>
/// Reads the YAML of a data contract, format 1, into a <see cref="DataContract"/>, checking every key as it goes;
/// each error names the source, the line and the key or field, and the fix. Unknown keys are errors (a typo would
/// otherwise drop a rule silently).
/// </summary>
internal static class DataContractReader
{
    private static readonly string[] s_topKeys = ["contract", "name", "version", "owner", "description", "schema", "rules"];
    private static readonly string[] s_fieldKeys = ["name", "type", "nullable", "description"];
    private static readonly string[] s_commonRuleKeys = ["name", "kind", "field", "action", "description"];

    private static readonly Dictionary<string, (RuleKind Kind, bool Field, string[] Required, string[] Optional)> s_kinds = new(StringComparer.Ordinal)
    {
        ["not_null"] = (RuleKind.NotNull, true, [], []),
        ["range"] = (RuleKind.Range, true, ["min", "max"], []),
        ["regex"] = (RuleKind.Regex, true, ["pattern"], ["timeout"]),
        ["accepted_values"] = (RuleKind.AcceptedValues, true, ["values"], []),
        ["unique"] = (RuleKind.Unique, true, ["horizon"], []),
        ["freshness"] = (RuleKind.Freshness, false, ["max_lag"], ["check_every"]),
        ["volume"] = (RuleKind.Volume, false, ["window"], ["min", "max", "trailing_windows", "sigmas"]),
    };

    public static DataContract Read(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new DataContractException($"{source}:{e.Start.Line}: the data contract is not valid YAML ({e.Message.TrimEnd('.')}).", e);
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new DataContractException($"{source}:1: a data contract is one YAML mapping (contract: {DataContract.FormatVersion}, name:, version:, owner:, schema:, rules:).");
        }
        var top = Keys(root, source, s_topKeys, "a data contract");
        var format = Required(top, root, "contract", source, "the format version");
        if (!int.TryParse(format.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
        {
            throw Error(source, format, $"'contract: {format.Value}' is not a format version: write 'contract: {DataContract.FormatVersion}'.");
        }
        if (version > DataContract.FormatVersion)
        {
            throw Error(source, format, $"the data contract has format version {version}, newer than this Sluice reads ({DataContract.FormatVersion}): upgrade Sluice, or write the contract in format {DataContract.FormatVersion}.");
        }
        var name = Required(top, root, "name", source, "the dataset's name").Value!;
        var contractVersion = Required(top, root, "version", source, "the contract's version").Value!;
        var owner = Required(top, root, "owner", source, "who answers for the dataset").Value!;
        var description = top.TryGetValue("description", out var d) ? Scalar(d, source, "description").Value : null;

        if (!top.TryGetValue("schema", out var schemaNode) || schemaNode is not YamlSequenceNode { Children.Count: > 0 } fieldsNode)
        {
            throw Error(source, top.TryGetValue("schema", out var s) ? s : root, "'schema' must be a list of fields (- name: id, type: BIGINT, nullable: false).");
        }
        var fields = new List<Field>();
        var lines = new List<int>();
        foreach (var node in fieldsNode.Children)
        {
            if (node is not YamlMappingNode fieldNode)
            {
                throw Error(source, node, "each schema entry is a field: - name: id, type: BIGINT (nullable: true by default).");
            }
            var keys = Keys(fieldNode, source, s_fieldKeys, "a schema field");
            var fieldName = Required(keys, fieldNode, "name", source, "the field's name").Value!;
            var typeNode = Required(keys, fieldNode, "type", source, $"the type of field '{fieldName}'");
            DataType type;
            try
            {
                type = DataType.Parse(typeNode.Value!);
            }
            catch (FormatException e)
            {
                throw Error(source, typeNode, $"field '{fieldName}' has type '{typeNode.Value}', which is not a type ({e.Message.TrimEnd('.')}): write a SQL type such as BIGINT, STRING or DECIMAL(10, 2).");
            }
            var nullable = keys.TryGetValue("nullable", out var n) ? Boolean(n, source, $"nullable of field '{fieldName}'") : true;
            if (fields.Exists(f => f.Name == fieldName))
            {
                throw Error(source, fieldNode, $"field '{fieldName}' is declared twice: give each field once.");
            }
            fields.Add(new Field(fieldName, type.WithNullability(nullable), keys.TryGetValue("description", out var fd) ? Scalar(fd, source, "description").Value : null));
            lines.Add(Line(fieldNode));
        }

        var rules = new List<DataContractRule>();
        if (top.TryGetValue("rules", out var rulesNode))
        {
            if (rulesNode is not YamlSequenceNode ruleList)
            {
                throw Error(source, rulesNode, "'rules' must be a list of rules (- name: amount_range, kind: range, field: amount, min: 0, max: 100).");
            }
            foreach (var node in ruleList.Children)
            {
                var rule = ReadRule(node, source);
                if (rules.Exists(r => r.Name == rule.Name))
                {
                    throw Error(source, node, $"rule '{rule.Name}' is declared twice: give each rule a unique name.");
                }
                rules.Add(rule);
            }
        }
        return new DataContract(source, name, contractVersion, owner, description, new Schema(fields), lines, rules);
    }

    private static DataContractRule ReadRule(YamlNode node, string source)
    {
        if (node is not YamlMappingNode ruleNode)
        {
            throw Error(source, node, "each rule is a mapping: - name: amount_range, kind: range, field: amount, min: 0, max: 100.");
        }
        var keys = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, value) in ruleNode.Children)
        {
            keys[Scalar(key, source, "a key").Value!] = value;
        }
        var name = Required(keys, ruleNode, "name", source, "the rule's name").Value!;
        var kindNode = Required(keys, ruleNode, "kind", source, $"the kind of rule '{name}'");
        if (!s_kinds.TryGetValue(kindNode.Value!, out var kind))
        {
            var hint = kindNode.Value is "custom" or "referential" or "schema"
                ? $" A {kindNode.Value} rule needs code or a table: declare it in C# or as a SQL CHECK constraint; the contract's schema is checked by the contract itself."
                : "";
            throw Error(source, kindNode, $"rule '{name}' has kind '{kindNode.Value}', which a contract does not know: give one of {string.Join(", ", s_kinds.Keys)}.{hint}");
        }
        foreach (var (key, value) in keys)
        {
            if (!s_commonRuleKeys.Contains(key) && !kind.Required.Contains(key) && !kind.Optional.Contains(key))
            {
                throw Error(source, value, $"rule '{name}' ({kindNode.Value}) has no key '{key}': its keys are {string.Join(", ", [.. s_commonRuleKeys, .. kind.Required, .. kind.Optional])}.");
            }
        }
        string? field = null;
        if (kind.Field)
        {
            field = Required(keys, ruleNode, "field", source, $"the field rule '{name}' reads").Value;
        }
        else if (keys.TryGetValue("field", out var f))
        {
            throw Error(source, f, $"rule '{name}' is a {kindNode.Value} rule: it judges the stream, not a field; remove 'field'.");
        }
        var action = kind.Field ? RuleAction.DeadLetter : RuleAction.Warn;
        if (keys.TryGetValue("action", out var actionNode))
        {
            action = Scalar(actionNode, source, "action").Value switch
            {
                "dlq" or "dead_letter" => RuleAction.DeadLetter,
                "drop" => RuleAction.Drop,
                "warn" => RuleAction.Warn,
                "fail" => RuleAction.Fail,
                var other => throw Error(source, actionNode, $"rule '{name}' has action '{other}': give dlq, drop, warn or fail."),
            };
        }
        var parameters = new Dictionary<string, ContractValue>(StringComparer.Ordinal);
        foreach (var key in kind.Required)
        {
            if (!keys.ContainsKey(key))
            {
                throw Error(source, ruleNode, $"rule '{name}' ({kindNode.Value}) needs '{key}'.");
            }
        }
        foreach (var key in kind.Required.Concat(kind.Optional))
        {
            if (keys.TryGetValue(key, out var value))
            {
                parameters[key] = Value(value, source, name, key);
            }
        }
        try
        {
            // Build the rule's parameters once so that a bad pattern, a bad number or a stream rule with a record
            // action fails now, at its line, rather than when the contract is applied.
            var rule = new DataContractRule(name, kind.Kind, field, action, Line(ruleNode), parameters);
            Check(rule, source, keys);
            return rule;
        }
        catch (ArgumentException e)
        {
            throw Error(source, ruleNode, e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal));
        }
    }

    private static void Check(DataContractRule rule, string source, Dictionary<string, YamlNode> keys)
    {
        foreach (var (key, value) in rule.Parameters)
        {
            var ok = key switch
            {
                "timeout" or "horizon" or "max_lag" or "check_every" or "window" => ParseDuration(value.Text) is { } d && d > TimeSpan.Zero,
                "trailing_windows" => int.TryParse(value.Text, NumberStyles.None, CultureInfo.InvariantCulture, out _),
                "min" or "max" when rule.Kind == RuleKind.Volume => long.TryParse(value.Text, NumberStyles.None, CultureInfo.InvariantCulture, out _),
                "sigmas" => double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0,
                "values" => value.Items.Count > 0,
                _ => true,
            };
            if (!ok)
            {
                var expected = key switch
                {
                    "trailing_windows" or "min" or "max" => "a whole number, 0 or more",
                    "sigmas" => "a positive number",
                    "values" => "a non-empty list ([new, paid])",
                    _ => "a duration: a whole number and ms, s, m, h or d (500ms, 5m, 1h)",
                };
                throw Error(source, keys[key], $"rule '{rule.Name}' has {key}: '{value.Text}', which is not {expected}.");
            }
        }
        if (rule.Kind is RuleKind.Freshness or RuleKind.Volume && rule.Action is RuleAction.DeadLetter or RuleAction.Drop)
        {
            throw Error(source, keys["action"], $"rule '{rule.Name}' judges the stream, not records, so it cannot {(rule.Action == RuleAction.Drop ? "drop" : "dead-letter")} one: give it the action warn or fail.");
        }
    }

    /// <summary>A duration: a whole number and a unit (<c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>), or null.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }
        if (digits == 0 || !long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return null;
        }
        return text[digits..].Trim() switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            "d" => TimeSpan.FromDays(amount),
            _ => null,
        };
    }

    private static ContractValue Value(YamlNode node, string source, string rule, string key) => node switch
    {
        YamlScalarNode scalar => new ContractValue(scalar.Value ?? "", Line(node), []),
        YamlSequenceNode sequence => new ContractValue("", Line(node), [.. sequence.Children.Select(c => c is YamlScalarNode s
            ? new ContractValue(s.Value ?? "", Line(c), [])
            : throw Error(source, c, $"rule '{rule}' lists a {c.NodeType} in '{key}': list plain values."))]),
        _ => throw Error(source, node, $"rule '{rule}' has a mapping for '{key}': give a value or a list."),
    };

    private static Dictionary<string, YamlNode> Keys(YamlMappingNode mapping, string source, string[] allowed, string what)
    {
        var keys = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Children)
        {
            var name = Scalar(key, source, "a key").Value!;
            if (!allowed.Contains(name))
            {
                throw Error(source, key, $"'{name}' is not a key of {what}: its keys are {string.Join(", ", allowed)}.");
            }
            keys[name] = value;
        }
        return keys;
    }

    private static YamlScalarNode Required(Dictionary<string, YamlNode> keys, YamlNode owner, string key, string source, string what) =>
        keys.TryGetValue(key, out var node)
            ? Scalar(node, source, key) is { Value.Length: > 0 } scalar ? scalar : throw Error(source, node, $"'{key}' is empty: give {what}.")
            : throw Error(source, owner, $"'{key}' is missing: give {what}.");

    private static YamlScalarNode Scalar(YamlNode node, string source, string key) =>
        node as YamlScalarNode ?? throw Error(source, node, $"'{key}' must be a plain value, not a {node.NodeType.ToString().ToLowerInvariant()}.");

    private static bool Boolean(YamlNode node, string source, string what) => Scalar(node, source, what).Value switch
    {
        "true" => true,
        "false" => false,
        var other => throw Error(source, node, $"{what} is '{other}': write true or false."),
    };

    private static int Line(YamlNode node) => (int)node.Start.Line;

    private static DataContractException Error(string source, YamlNode node, string message) => new($"{source}:{Line(node)}: {message}");
}
