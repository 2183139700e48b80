using System.Globalization;
using System.Text;
using Sluice.Configuration;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Filesystem;

/// <summary>
/// Hive-style partition directories as Flink's filesystem connector writes them: one <c>column=value</c> segment per
/// partition column, outermost first (<c>dt=2026-12-05/country=FR</c>). Characters that cannot stand in a path
/// segment — controls, <c>" # % ' * / : = ? \ { } [ ] ^</c> and DEL — are written as <c>%XX</c> (upper-case hex of
/// the UTF-16 code unit), and a null or empty value as the default partition name. Stateless and thread-safe.
/// </summary>
internal static class PartitionPaths
{
    /// <summary>Flink's default of <c>partition.default-name</c>.</summary>
    public const string DefaultPartitionName = "__DEFAULT_PARTITION__";

    /// <summary>Whether <paramref name="c"/> is escaped in a partition path segment.</summary>
    public static bool MustEscape(char c) => c < ' ' || c is '"' or '#' or '%' or '\'' or '*' or '/' or ':' or '=' or '?' or '\\' or '\u007F' or '{' or '}' or '[' or ']' or '^';

    /// <summary>Appends <paramref name="text"/> to <paramref name="builder"/> with every <see cref="MustEscape"/> character as <c>%XX</c>.</summary>
    public static void AppendEscaped(StringBuilder builder, ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (MustEscape(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"%{(int)c:X2}");
            }
            else
            {
                builder.Append(c);
            }
        }
    }

    /// <summary>The escaped form of <paramref name="text"/> (see <see cref="AppendEscaped"/>).</summary>
    public static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        AppendEscaped(builder, text);
        return builder.ToString();
    }

    /// <summary>
    /// The inverse of <see cref="Escape"/>: every <c>%XX</c> (two hex digits) becomes its character; a <c>%</c> not
    /// followed by two hex digits stays as it is, as in Flink.
    /// </summary>
    public static string Unescape(string segment)
    {
        var percent = segment.IndexOf('%');
        if (percent < 0)
        {
            return segment;
        }
        var builder = new StringBuilder(segment.Length);
        builder.Append(segment.AsSpan(0, percent));
        for (var i = percent; i < segment.Length; i++)
        {
            if (segment[i] == '%' && i + 2 < segment.Length && IsHex(segment[i + 1]) && IsHex(segment[i + 2]))
            {
                builder.Append((char)int.Parse(segment.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                i += 2;
            }
            else
            {
                builder.Append(segment[i]);
            }
        }
        return builder.ToString();
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    /// <summary>
    /// Sets column <paramref name="column"/> of <paramref name="row"/> from the value part of its partition directory
    /// name, as the sink wrote it: <paramref name="defaultName"/> is NULL, otherwise the unescaped text converted to the
    /// column's type (BOOLEAN <c>true</c>/<c>false</c>, INT and BIGINT decimal digits, DECIMAL with a <c>.</c>, DATE
    /// <c>yyyy-MM-dd</c>, VARCHAR as is).
    /// </summary>
    /// <returns>Null when set; otherwise why the value does not convert, as a sentence naming the column.</returns>
    public static string? TrySetValue(Row row, int column, string escaped, string defaultName)
    {
        var field = row.Schema[column];
        if (escaped == defaultName)
        {
            if (!field.Type.IsNullable)
            {
                return $"Partition column '{field.Name}' is {field.Type} but its directory holds the default partition name '{defaultName}' (NULL).";
            }
            row.SetNull(column);
            return null;
        }
        var text = Unescape(escaped);
        const NumberStyles integer = NumberStyles.AllowLeadingSign;
        var invariant = CultureInfo.InvariantCulture;
        switch (field.Type.Kind)
        {
            case DataTypeKind.Varchar:
                row.SetString(column, text);
                return null;
            case DataTypeKind.Boolean when bool.TryParse(text, out var flag):
                row.SetBoolean(column, flag);
                return null;
            case DataTypeKind.Int when int.TryParse(text, integer, invariant, out var number):
                row.SetInt32(column, number);
                return null;
            case DataTypeKind.BigInt when long.TryParse(text, integer, invariant, out var number):
                row.SetInt64(column, number);
                return null;
            case DataTypeKind.Decimal when decimal.TryParse(text, integer | NumberStyles.AllowDecimalPoint, invariant, out var number) && field.Type.TryRoundDecimal(number, out _):
                row.SetDecimal(column, number);
                return null;
            case DataTypeKind.Date when DateOnly.TryParseExact(text, "yyyy-MM-dd", invariant, DateTimeStyles.None, out var day):
                row.SetDate(column, day);
                return null;
            default:
                return $"Partition column '{field.Name}': '{text}' does not convert to {field.Type}.";
        }
    }

    /// <summary>Whether a column of <paramref name="type"/> can be a partition column: BOOLEAN, INT, BIGINT, DECIMAL, VARCHAR, DATE.</summary>
    public static bool IsSupported(DataType type) =>
        type.Kind is DataTypeKind.Boolean or DataTypeKind.Int or DataTypeKind.BigInt or DataTypeKind.Decimal or DataTypeKind.Varchar or DataTypeKind.Date;
}

/// <summary>
/// The bucketer of one filesystem sink writer over rows: the bucket is the partition path of the row's partition
/// columns, the body the row without them (a reused row, as Flink omits partition columns from the files). Paths are
/// built in a reused buffer and looked up without allocating, so a row of a bucket seen before allocates nothing but
/// what formatting a non-string value takes (the <see cref="MaxRememberedBuckets"/> paths seen last; the memory starts
/// over beyond). Not thread-safe: one per writer.
/// </summary>
internal sealed class RowPartitionBucketer : IPartFileBucketer<Row>
{
    /// <summary>How many bucket paths are remembered (to return one string per bucket without allocating); beyond it the memory starts over.</summary>
    internal const int MaxRememberedBuckets = 1024;

    private readonly Schema _schema;
    private readonly int[] _partitionColumns;
    private readonly int[] _bodyColumns;
    private readonly string[] _prefixes;
    private readonly string _defaultName;
    private readonly Row _body;
    private readonly StringBuilder _path = new(64);
    private readonly Dictionary<string, string> _buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private char[] _chars = new char[64];

    /// <summary>How many bucket paths are remembered now; for tests.</summary>
    internal int RememberedBuckets => _buckets.Count;

    public RowPartitionBucketer(Schema schema, int[] partitionColumns, Schema bodySchema, string defaultName)
    {
        _schema = schema;
        _partitionColumns = partitionColumns;
        _defaultName = defaultName;
        _body = new Row(bodySchema);
        _bodyColumns = new int[bodySchema.Count];
        for (var i = 0; i < bodySchema.Count; i++)
        {
            _bodyColumns[i] = schema.IndexOf(bodySchema[i].Name);
        }
        _prefixes = new string[partitionColumns.Length];
        for (var i = 0; i < partitionColumns.Length; i++)
        {
            _prefixes[i] = PartitionPaths.Escape(schema[partitionColumns[i]].Name) + "=";
        }
        _lookup = _buckets.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <inheritdoc />
    public string BucketOf(Row value, out Row body)
    {
        _path.Clear();
        for (var i = 0; i < _partitionColumns.Length; i++)
        {
            if (i > 0)
            {
                _path.Append('/');
            }
            _path.Append(_prefixes[i]);
            AppendValue(value, _partitionColumns[i]);
        }
        for (var i = 0; i < _bodyColumns.Length; i++)
        {
            value.CopyFieldTo(_bodyColumns[i], _body, i);
        }
        _body.Kind = value.Kind;
        body = _body;
        if (_chars.Length < _path.Length)
        {
            _chars = new char[Math.Max(_path.Length, _chars.Length * 2)];
        }
        _path.CopyTo(0, _chars, _path.Length);
        var key = _chars.AsSpan(0, _path.Length);
        if (_lookup.TryGetValue(key, out var bucket))
        {
            return bucket;
        }
        bucket = key.ToString();
        if (_buckets.Count >= MaxRememberedBuckets)
        {
            // Bounded: a job writing ever new partitions (a date column) would otherwise keep every path it ever saw.
            _buckets.Clear();
        }
        _buckets.Add(bucket, bucket);
        return bucket;
    }

    private void AppendValue(Row row, int column)
    {
        if (row.IsNull(column))
        {
            _path.Append(_defaultName);
            return;
        }
        switch (_schema[column].Type.Kind)
        {
            case DataTypeKind.Varchar:
                var text = row.GetString(column)!;
                if (text.Length == 0)
                {
                    _path.Append(_defaultName);
                }
                else
                {
                    PartitionPaths.AppendEscaped(_path, text);
                }
                break;
            case DataTypeKind.Int:
                _path.Append(CultureInfo.InvariantCulture, $"{row.GetInt32(column)}");
                break;
            case DataTypeKind.BigInt:
                _path.Append(CultureInfo.InvariantCulture, $"{row.GetInt64(column)}");
                break;
            case DataTypeKind.Boolean:
                _path.Append(row.GetBoolean(column) ? "true" : "false");
                break;
            case DataTypeKind.Date:
                _path.Append(CultureInfo.InvariantCulture, $"{row.GetDate(column):yyyy-MM-dd}");
                break;
            default:
                _path.Append(CultureInfo.InvariantCulture, $"{row.GetDecimal(column)}");
                break;
        }
    }

    /// <summary>
    /// The bucketers of a sink over <paramref name="schema"/> partitioned by <paramref name="partitionKeys"/>, and the
    /// schema of the files' rows (the table's columns without the partition columns).
    /// </summary>
    /// <exception cref="ConfigOptionsException">A partition column's type is not supported, or every column is a partition column.</exception>
    public static (Func<IPartFileBucketer<Row>> Bucketers, Schema Body) For(Schema schema, IReadOnlyList<string> partitionKeys, string defaultName, string connector)
    {
        var partitionColumns = new int[partitionKeys.Count];
        for (var i = 0; i < partitionKeys.Count; i++)
        {
            var index = schema.IndexOf(partitionKeys[i]);
            if (index < 0)
            {
                throw new ConfigOptionsException($"Partition column '{partitionKeys[i]}' is not a column of the table ({string.Join(", ", schema.Select(static f => f.Name))}).", connector);
            }
            if (!PartitionPaths.IsSupported(schema[index].Type))
            {
                throw new ConfigOptionsException(
                    $"Partition column '{partitionKeys[i]}' is {schema[index].Type}, which connector '{connector}' cannot write as a directory name; partition by a BOOLEAN, INT, BIGINT, DECIMAL, VARCHAR or DATE column.", connector);
            }
            partitionColumns[i] = index;
        }
        var body = new List<Field>(schema.Count);
        foreach (var field in schema)
        {
            if (!partitionKeys.Contains(field.Name))
            {
                body.Add(field);
            }
        }
        if (body.Count == 0)
        {
            throw new ConfigOptionsException($"Every column of the table is a partition column, so connector '{connector}' would write empty rows; keep at least one column out of PARTITIONED BY.", connector);
        }
        var bodySchema = new Schema(body);
        return (() => new RowPartitionBucketer(schema, partitionColumns, bodySchema, defaultName), bodySchema);
    }
}
