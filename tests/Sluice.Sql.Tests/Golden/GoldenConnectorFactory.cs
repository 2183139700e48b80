using System.Globalization;
using System.Text.Json;
using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Sql.Tests.Golden;

/// <summary>
/// The golden tests' source connector 'golden': <c>'input' = 'bid'</c> reads <c>inputs/bid.jsonl</c> under
/// <paramref name="directory"/>, one JSON object per line, converted to the table's physical columns by name (a
/// missing field is NULL). It emits one row per poll from one split, so the table's WATERMARK moves after every row
/// and which rows are late is the same on every run. The source runs at parallelism 1, and so does the scan chained to
/// it (a SQL scan runs at its source's parallelism), so every downstream subtask gets the rows and watermarks over one
/// channel, in file order, at any job parallelism. (A source running at the job's parallelism with only subtask 0
/// reading would not do: whether a row is late would depend on when the empty subtasks' end-of-input watermarks
/// reach the downstream operators.) A field <c>"_kind"</c> (<c>+I</c>, <c>-U</c>, <c>+U</c>,
/// <c>-D</c>) sets the row's kind; a table that uses it declares <c>'changelog' = 'true'</c>.
/// </summary>
internal sealed class GoldenConnectorFactory(string directory) : IConnectorFactory
{
    public string Identifier => "golden";

    public string Description => "Rows of a golden test's input file.";

    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Source;

    public IReadOnlyList<ConfigOption> Options { get; } =
    [
        new("input", ConfigOptionType.String, "The input file's name under inputs/, without '.jsonl'."),
        new("changelog", ConfigOptionType.Boolean, "Whether the rows carry a '_kind' (the source is updating)."),
    ];

    public ChangelogMode GetSourceChangelogMode(ConnectorContext context) =>
        context.Options.GetBoolean("changelog") == true ? ChangelogMode.All : ChangelogMode.InsertOnly;

    public ISource<Row> CreateSource(ConnectorContext context)
    {
        var input = context.Options.GetString("input")
            ?? throw new InvalidOperationException($"Table '{context.TableName}' needs the option 'input'.");
        var path = Path.Combine(directory, "inputs", input + ".jsonl");
        var rows = new List<Row>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            rows.Add(ParseRow(context.Schema, line, $"{input}.jsonl:{number}"));
        }

        return new OneRowPerPoll(rows);
    }

    private static Row ParseRow(Schema schema, string line, string where)
    {
        using var document = JsonDocument.Parse(line);
        var values = new object?[schema.Count];
        for (var i = 0; i < schema.Count; i++)
        {
            if (document.RootElement.TryGetProperty(schema[i].Name, out var element) && element.ValueKind != JsonValueKind.Null)
            {
                values[i] = Convert(element, schema[i].Type, $"{where} field '{schema[i].Name}'");
            }
        }

        var row = Row.Of(schema, values);
        if (document.RootElement.TryGetProperty("_kind", out var kind))
        {
            row.Kind = kind.GetString() switch
            {
                "+I" => RowKind.Insert,
                "-U" => RowKind.UpdateBefore,
                "+U" => RowKind.UpdateAfter,
                "-D" => RowKind.Delete,
                var other => throw new InvalidDataException($"{where}: unknown _kind '{other}'."),
            };
        }

        return row;
    }

    private static object Convert(JsonElement element, DataType type, string where) => type.Kind switch
    {
        DataTypeKind.Boolean => element.GetBoolean(),
        DataTypeKind.Int => element.GetInt32(),
        DataTypeKind.BigInt => element.GetInt64(),
        DataTypeKind.Float => element.GetSingle(),
        DataTypeKind.Double => element.GetDouble(),
        DataTypeKind.Decimal => element.GetDecimal(),
        DataTypeKind.Varchar => element.GetString()!,
        DataTypeKind.Date => DateOnly.ParseExact(element.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        DataTypeKind.Timestamp => DateTime.Parse(element.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
        DataTypeKind.TimestampLtz => DateTimeOffset.Parse(element.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        _ => throw new InvalidDataException($"{where}: the golden connector does not read {type}."),
    };

    /// <summary>A bounded, parallelism-1 source that emits the rows, one per poll.</summary>
    private sealed class OneRowPerPoll(List<Row> rows) : ISource<Row>
    {
        public bool IsBounded => true;

        public int MaxParallelism => 1;

        public ISourceReader<Row> CreateReader(SourceReaderContext context) => new Reader(rows);

        private sealed class Reader(List<Row> rows) : ISourceReader<Row>
        {
            private int _next;

            public int SplitCount => 1;

            public SourceStatus PollNext(ISourceOutput<Row> output)
            {
                if (_next == rows.Count)
                {
                    return SourceStatus.Finished;
                }

                output.Collect(0, rows[_next++].Copy());
                return _next == rows.Count ? SourceStatus.Finished : SourceStatus.MoreAvailable;
            }

            public void Dispose()
            {
            }
        }
    }
}
