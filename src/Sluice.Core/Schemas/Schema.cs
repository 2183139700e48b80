using System.Collections;
using System.Text;

namespace Sluice.Schemas;

/// <summary>
/// The ordered, named and typed fields of a row: the data model shared by SQL, formats, connectors and the schema
/// registry. Immutable and thread-safe. Field names are unique (case-sensitive, as in Flink SQL).
/// </summary>
/// <remarks>
/// A schema also fixes the layout of its <see cref="Row"/>s (which slot each field uses), computed once here so that a
/// row is allocated and addressed without looking anything up.
/// </remarks>
public sealed class Schema : IReadOnlyList<Field>, IEquatable<Schema>
{
    private readonly Field[] _fields;
    private readonly Dictionary<string, int> _indexes;
    private int _hash;

    /// <summary>Creates a schema of <paramref name="fields"/>, in order.</summary>
    /// <exception cref="ArgumentException">Two fields have the same name.</exception>
    public Schema(IEnumerable<Field> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        _fields = [.. fields];
        _indexes = new Dictionary<string, int>(_fields.Length, StringComparer.Ordinal);
        for (var i = 0; i < _fields.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(_fields[i], nameof(fields));
            if (!_indexes.TryAdd(_fields[i].Name, i))
            {
                throw new ArgumentException($"The schema has two fields named '{_fields[i].Name}'; field names must be unique.", nameof(fields));
            }
        }
        Layout = new RowLayout(this);
    }

    /// <summary>Creates a schema of <paramref name="fields"/>, in order.</summary>
    /// <exception cref="ArgumentException">Two fields have the same name.</exception>
    public Schema(params Field[] fields) : this((IEnumerable<Field>)fields)
    {
    }

    /// <summary>The number of fields.</summary>
    public int Count => _fields.Length;

    /// <summary>The field at <paramref name="index"/>.</summary>
    public Field this[int index] => _fields[index];

    internal RowLayout Layout { get; }

    /// <summary>
    /// Where the schema came from, for error messages: a registry format sets it to the subject, version and id
    /// (<c>subject 'orders-value' version 2 (id 7)</c>) so that a sink refusing a schema change can name them. Null when
    /// unknown. Not part of <see cref="Equals(Schema?)"/>.
    /// </summary>
    public string? Origin { get; init; }

    /// <summary>Reads <c>ROW&lt;a INT, b STRING&gt;</c> or a bare field list <c>a INT, b STRING</c>.</summary>
    /// <exception cref="FormatException">The text is not a schema; the message names the position and what was expected.</exception>
    public static Schema Parse(string text) => DataTypeParser.ParseSchema(text);

    /// <summary>The index of the field named <paramref name="name"/>, or −1.</summary>
    public int IndexOf(string name) => _indexes.TryGetValue(name, out var index) ? index : -1;

    /// <summary>The index of the field named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No field has that name; the message lists the fields.</exception>
    public int GetIndex(string name) =>
        _indexes.TryGetValue(name, out var index)
            ? index
            : throw new ArgumentException($"The schema has no field '{name}'; its fields are: {string.Join(", ", _fields.Select(f => f.Name))}.", nameof(name));

    /// <inheritdoc />
    public IEnumerator<Field> GetEnumerator() => ((IEnumerable<Field>)_fields).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _fields.GetEnumerator();

    /// <inheritdoc />
    public bool Equals(Schema? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (other is null || other._fields.Length != _fields.Length || other.GetHashCode() != GetHashCode())
        {
            return false;
        }
        for (var i = 0; i < _fields.Length; i++)
        {
            if (!_fields[i].Equals(other._fields[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Schema);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            var hash = new HashCode();
            foreach (var field in _fields)
            {
                hash.Add(field);
            }
            _hash = hash.ToHashCode() | 1;
        }
        return _hash;
    }

    /// <summary><c>ROW&lt;id BIGINT NOT NULL, name VARCHAR&gt;</c>; <see cref="Parse"/> reads it back.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        AppendRow(text);
        return text.ToString();
    }

    internal void AppendRow(StringBuilder text, bool descriptions = true)
    {
        text.Append("ROW<");
        for (var i = 0; i < _fields.Length; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }
            text.Append(QuoteName(_fields[i].Name)).Append(' ');
            _fields[i].Type.Append(text, descriptions);
            if (descriptions && _fields[i].Description is { } description)
            {
                text.Append(" COMMENT '").Append(description.Replace("'", "''", StringComparison.Ordinal)).Append('\'');
            }
        }
        text.Append('>');
    }

    /// <summary>The name as is when it is a plain identifier (letter or underscore, then letters, digits, underscores), else in backticks.</summary>
    internal static string QuoteName(string name)
    {
        var plain = name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_');
        for (var i = 1; plain && i < name.Length; i++)
        {
            plain = char.IsAsciiLetterOrDigit(name[i]) || name[i] == '_';
        }
        return plain ? name : "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";
    }
}
