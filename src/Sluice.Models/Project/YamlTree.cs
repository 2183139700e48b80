using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sluice.Models.Project;

/// <summary>
/// A YAML file as template values (<see cref="Templating.JinjaValues"/>: dicts with string keys, lists, strings,
/// longs, doubles, booleans, null), remembering each mapping's and list's line for error messages.
/// </summary>
internal sealed class YamlTree
{
    private readonly Dictionary<object, int> _lines = new(ReferenceEqualityComparer.Instance);

    private YamlTree(string file) => File = file;

    /// <summary>The project-relative file name.</summary>
    public string File { get; }

    /// <summary>The document's root, or null for an empty file.</summary>
    public object? Root { get; private set; }

    public static YamlTree Load(string path, string file) => Parse(System.IO.File.ReadAllText(path), file);

    public static YamlTree Parse(string text, string file)
    {
        var tree = new YamlTree(file);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ModelProjectException($"{file}:{e.Start.Line}:{e.Start.Column}: {e.Message.TrimEnd('.')}.", e);
        }
        tree.Root = stream.Documents.Count == 0 ? null : tree.Convert(stream.Documents[0].RootNode);
        return tree;
    }

    /// <summary>The 1-based line of a mapping or list of this tree; 1 when unknown.</summary>
    public int LineOf(object? node) => node is not null && _lines.TryGetValue(node, out var line) ? line : 1;

    /// <summary><c>file:line: </c> prefix for an error about <paramref name="node"/>.</summary>
    public string At(object? node) => $"{File}:{LineOf(node)}";

    private object? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var dict = new Dictionary<string, object?>();
                foreach (var (key, value) in mapping.Children)
                {
                    dict[((YamlScalarNode)key).Value ?? ""] = Convert(value);
                }
                _lines[dict] = (int)mapping.Start.Line;
                return dict;
            case YamlSequenceNode sequence:
                var list = sequence.Children.Select(Convert).ToList();
                _lines[list] = (int)sequence.Start.Line;
                return list;
            case YamlScalarNode scalar:
                var text = scalar.Value ?? "";
                if (scalar.Style != ScalarStyle.Plain)
                {
                    return text;
                }
                return text switch
                {
                    "" or "~" or "null" or "Null" or "NULL" => null,
                    "true" or "True" or "TRUE" => true,
                    "false" or "False" or "FALSE" => false,
                    _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
                    _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && text.Any(char.IsAsciiDigit) => d,
                    _ => text,
                };
            default:
                return null;
        }
    }
}
