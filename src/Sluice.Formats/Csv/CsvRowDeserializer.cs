using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Sluice.Schemas;

namespace Sluice.Formats;

/// <summary>
/// The <c>csv</c> format's deserializer (see <see cref="CsvFormat"/>): splits one record into fields (quotes, doubled
/// quotes and escapes undone into a pooled scratch buffer only when present) and parses each as its field's type. A
/// trailing line break is ignored. Thread-safe.
/// </summary>
internal sealed class CsvRowDeserializer : IRowDeserializer
{
    private readonly Schema _schema;
    private readonly CsvSettings _settings;
    private long _ignored;

    public CsvRowDeserializer(Schema schema, CsvSettings settings)
    {
        _schema = schema;
        _settings = settings;
    }

    public Schema Schema => _schema;

    public long IgnoredErrorCount => Interlocked.Read(ref _ignored);

    public bool TryDeserialize(ReadOnlySpan<byte> data, out Row? row, [NotNullWhen(false)] out FormatError? error)
    {
        row = null;
        if (data.Length > 0 && data[^1] == '\n')
        {
            data = data[..^(data.Length > 1 && data[^2] == '\r' ? 2 : 1)];
        }
        if (_settings.AllowComments && data.Length > 0 && data[0] == '#')
        {
            error = null;
            return true;
        }
        var count = _schema.Count;
        var fields = count <= 64 ? stackalloc FieldSlice[count] : new FieldSlice[count];
        byte[]? scratch = null;
        try
        {
            if (!TrySplit(data, fields, ref scratch, out error))
            {
                return false;
            }
            var decoded = new Row(_schema);
            for (var i = 0; i < count; i++)
            {
                var slice = fields[i];
                var text = slice.Unescaped ? scratch.AsSpan(slice.Start, slice.Length) : data.Slice(slice.Start, slice.Length);
                if (!TryReadField(decoded, i, text, slice.Quoted, out var fieldError))
                {
                    if (_settings.IgnoreParseErrors && _schema[i].Type.IsNullable)
                    {
                        decoded.SetNull(i);
                        Interlocked.Increment(ref _ignored);
                        continue;
                    }
                    error = fieldError.InField(_schema[i].Name);
                    return false;
                }
            }
            row = decoded;
            return true;
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    private bool TryReadField(Row row, int index, ReadOnlySpan<byte> text, bool quoted, [NotNullWhen(false)] out FormatError? error)
    {
        var type = _schema[index].Type;
        error = null;
        if (!quoted && IsNull(text))
        {
            if (!type.IsNullable)
            {
                error = new FormatError($"The value is null but the field is {type}.");
                return false;
            }
            return true;
        }
        if (type.Kind == DataTypeKind.Array)
        {
            return TryReadArray(row, index, type, text, out error);
        }
        if (!ScalarText.TryParse(type, text, TimestampStandard.Sql, out var scalar, out var reason))
        {
            error = new FormatError(reason!);
            return false;
        }
        scalar.Store(row, index, type.Kind);
        return true;
    }

    private bool TryReadArray(Row row, int index, DataType type, ReadOnlySpan<byte> text, [NotNullWhen(false)] out FormatError? error)
    {
        var element = type.ElementType!;
        var elements = new List<object?>();
        if (text.IsEmpty)
        {
            // Only a quoted empty field gets here: an empty array.
            row.SetArray(index, elements);
            error = null;
            return true;
        }
        var delimiter = _settings.ArrayDelimiter;
        while (true)
        {
            var end = text.IndexOf(delimiter);
            var item = end < 0 ? text : text[..end];
            if (IsNull(item))
            {
                if (!element.IsNullable)
                {
                    error = new FormatError($"The element is null but the element type is {element}.").AtIndex(elements.Count);
                    return false;
                }
                elements.Add(null);
            }
            else if (ScalarText.TryParse(element, item, TimestampStandard.Sql, out var scalar, out var reason))
            {
                elements.Add(scalar.Box(element));
            }
            else
            {
                error = new FormatError(reason!).AtIndex(elements.Count);
                return false;
            }
            if (end < 0)
            {
                break;
            }
            text = text[(end + delimiter.Length)..];
        }
        row.SetArray(index, elements);
        error = null;
        return true;
    }

    private bool IsNull(ReadOnlySpan<byte> text) =>
        _settings.NullLiteral is { } literal ? text.SequenceEqual(literal) || text.IsEmpty : text.IsEmpty;

    /// <summary>Splits <paramref name="data"/> into exactly one slice per field.</summary>
    private bool TrySplit(ReadOnlySpan<byte> data, Span<FieldSlice> fields, ref byte[]? scratch, [NotNullWhen(false)] out FormatError? error)
    {
        var delimiter = _settings.Delimiter;
        var quote = _settings.DisableQuote ? -1 : _settings.Quote;
        var escape = _settings.Escape is { } e ? e : -1;
        var scratchLength = 0;
        var position = 0;
        var field = 0;
        while (true)
        {
            if (field == fields.Length)
            {
                error = new FormatError($"The record has more than {fields.Length} fields; the schema has {fields.Length}.");
                return false;
            }
            var slice = new FieldSlice { Start = position };
            if (position < data.Length && data[position] == quote)
            {
                // Quoted: copy into the scratch buffer, undoing doubled quotes and escapes.
                scratch ??= ArrayPool<byte>.Shared.Rent(Math.Max(data.Length, 16));
                slice.Quoted = true;
                slice.Unescaped = true;
                slice.Start = scratchLength;
                position++;
                var closed = false;
                while (position < data.Length)
                {
                    var b = data[position];
                    if (b == escape && position + 1 < data.Length)
                    {
                        scratch[scratchLength++] = data[position + 1];
                        position += 2;
                    }
                    else if (b == quote)
                    {
                        if (position + 1 < data.Length && data[position + 1] == quote)
                        {
                            scratch[scratchLength++] = (byte)quote;
                            position += 2;
                        }
                        else
                        {
                            position++;
                            closed = true;
                            break;
                        }
                    }
                    else
                    {
                        scratch[scratchLength++] = b;
                        position++;
                    }
                }
                if (!closed)
                {
                    error = new FormatError($"Field {field + 1} opens a quote that is never closed.");
                    return false;
                }
                slice.Length = scratchLength - slice.Start;
                if (position < data.Length && data[position] != delimiter)
                {
                    error = new FormatError($"Field {field + 1} has text after its closing quote.");
                    return false;
                }
            }
            else if (escape >= 0 && data[position..].IndexOfAny((byte)escape, delimiter) is var stop && stop >= 0 && data[position + stop] == escape)
            {
                // Unquoted with escapes: copy, undoing them.
                scratch ??= ArrayPool<byte>.Shared.Rent(Math.Max(data.Length, 16));
                slice.Unescaped = true;
                slice.Start = scratchLength;
                while (position < data.Length && data[position] != delimiter)
                {
                    if (data[position] == escape && position + 1 < data.Length)
                    {
                        position++;
                    }
                    scratch[scratchLength++] = data[position++];
                }
                slice.Length = scratchLength - slice.Start;
            }
            else
            {
                var end = data[position..].IndexOf(delimiter);
                slice.Length = end < 0 ? data.Length - position : end;
                position += slice.Length;
            }
            fields[field++] = slice;
            if (position >= data.Length)
            {
                break;
            }
            position++; // the delimiter
            if (position == data.Length)
            {
                // A trailing delimiter: one more, empty field.
                if (field == fields.Length)
                {
                    error = new FormatError($"The record has more than {fields.Length} fields; the schema has {fields.Length}.");
                    return false;
                }
                fields[field++] = new FieldSlice { Start = position };
                break;
            }
        }
        if (field != fields.Length)
        {
            error = new FormatError($"The record has {field} fields but the schema has {fields.Length}.");
            return false;
        }
        error = null;
        return true;
    }

    private struct FieldSlice
    {
        public int Start;
        public int Length;
        public bool Quoted;
        public bool Unescaped;
    }
}
