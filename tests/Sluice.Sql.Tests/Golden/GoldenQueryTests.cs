using System.Text;
using System.Text.RegularExpressions;
using Sluice.Connectors;
using Sluice.Connectors.Print;
using Sluice.Schemas;
using Sluice.Sql.Session;

namespace Sluice.Sql.Tests.Golden;

/// <summary>
/// Golden queries in the style of Arroyo's: each <c>Golden/queries/NAME.sql</c> (DDL over 'golden' tables, then one
/// SELECT or an INSERT into a 'print' table) runs through a real <see cref="SqlSession"/> at parallelism 1 and 4, and
/// its result must equal <c>Golden/expected/NAME.txt</c>, written by hand. See docs/testing.md, "Golden SQL queries".
/// </summary>
public sealed partial class GoldenQueryTests
{
    private static readonly string s_directory = Path.Combine(AppContext.BaseDirectory, "Golden");

    /// <summary>The schema of a line the print sink wrote: its row as text (<c>[1, a]</c>).</summary>
    private static readonly Schema s_printed = Schema.Parse("printed STRING");

    /// <summary>Every query file, at parallelism 1 and 4.</summary>
    public static TheoryData<string, int> Queries()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in Directory.GetFiles(Path.Combine(s_directory, "queries"), "*.sql").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file), 1);
            data.Add(Path.GetFileNameWithoutExtension(file), 4);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Query_RunAtParallelism_MatchesTheHandWrittenExpectedResult(string name, int parallelism)
    {
        var script = await File.ReadAllTextAsync(Path.Combine(s_directory, "queries", name + ".sql"));
        var expected = ReadExpected(Path.Combine(s_directory, "expected", name + ".txt"));
        var changelog = script.Contains("-- golden: changelog", StringComparison.Ordinal);

        var actual = await RunAsync(script, parallelism);
        var lines = changelog ? Changelog(actual) : Materialize(actual);

        if (!lines.SequenceEqual(expected))
        {
            Assert.Fail(Diff(name, parallelism, expected, lines));
        }

        lines.ShouldBe(expected);
    }

    private static async Task<List<Row>> RunAsync(string script, int parallelism)
    {
        var printed = new StringWriter();
        var registry = new ConnectorRegistry()
            .Register(new GoldenConnectorFactory(s_directory))
            .Register(new PrintConnectorFactory(printed));
        var session = SqlSession.Create(new SqlSessionOptions { Connectors = registry });
        session.Execute($"SET 'parallelism.default' = '{parallelism}'");
        var results = session.Execute(script);
        switch (results[^1])
        {
            case SqlQueryResult query:
                await using (query)
                {
                    var rows = new List<Row>();
                    await foreach (var row in query.ReadAllAsync().WithCancellation(CancellationToken.None))
                    {
                        rows.Add(row.Copy());
                    }

                    return rows;
                }

            case SqlJobResult job:
                await job.Job.Completion.OrTimeout();
                return ParsePrinted(printed.ToString());

            default:
                throw new InvalidOperationException("A golden query file must end with a SELECT or an INSERT into a 'print' table.");
        }
    }

    /// <summary>The print sink's lines (<c>2> +I[1, a]</c>) as rows of one text field, keeping their kinds.</summary>
    private static List<Row> ParsePrinted(string printed)
    {
        var rows = new List<Row>();
        foreach (var line in printed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var text = SubtaskPrefix().Replace(line, string.Empty);
            var row = Row.Of(s_printed, text[2..]);
            row.Kind = text[..2] switch
            {
                "+I" => RowKind.Insert,
                "-U" => RowKind.UpdateBefore,
                "+U" => RowKind.UpdateAfter,
                _ => RowKind.Delete,
            };
            rows.Add(row);
        }

        return rows;
    }

    [GeneratedRegex(@"^\d+> ")]
    private static partial Regex SubtaskPrefix();

    /// <summary>The expected file's lines, without blank lines and <c>#</c> comments.</summary>
    private static List<string> ReadExpected(string path)
    {
        var lines = new List<string>();
        foreach (var line in File.ReadLines(path))
        {
            var trimmed = line.Trim();
            if (trimmed.Length > 0 && !trimmed.StartsWith('#'))
            {
                lines.Add(trimmed);
            }
        }

        return lines;
    }

    /// <summary>Every changelog row with its kind (<c>-U[1, a]</c>), sorted: the order across keys differs between runs at parallelism 4.</summary>
    private static List<string> Changelog(List<Row> rows)
    {
        var lines = new List<string>(rows.Count);
        foreach (var row in rows)
        {
            lines.Add(Text(row, withKind: true));
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>The rows left after applying the changelog (<c>[1, a]</c>), sorted; a retraction of a row that is not there fails.</summary>
    private static List<string> Materialize(List<Row> rows)
    {
        var lines = new List<string>(rows.Count);
        foreach (var row in rows)
        {
            var text = Text(row, withKind: false);
            if (row.Kind is RowKind.Insert or RowKind.UpdateAfter)
            {
                lines.Add(text);
            }
            else
            {
                lines.Remove(text).ShouldBeTrue($"The changelog retracts a row it never inserted: {row}");
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static string Text(Row row, bool withKind)
    {
        var text = ReferenceEquals(row.Schema, s_printed)
            ? (row.Kind switch { RowKind.Insert => "+I", RowKind.UpdateBefore => "-U", RowKind.UpdateAfter => "+U", _ => "-D" }) + row.GetString(0)
            : row.ToString();
        return withKind ? text : text[2..];
    }

    private static string Diff(string name, int parallelism, List<string> expected, List<string> actual)
    {
        var text = new StringBuilder($"Golden query '{name}' at parallelism {parallelism} differs from expected/{name}.txt");
        text.AppendLine(" (- expected only, + actual only):");
        var remaining = new List<string>(actual);
        foreach (var line in expected)
        {
            if (!remaining.Remove(line))
            {
                text.Append("- ").AppendLine(line);
            }
        }

        var unmatched = new List<string>(expected);
        foreach (var line in actual)
        {
            if (!unmatched.Remove(line))
            {
                text.Append("+ ").AppendLine(line);
            }
        }

        text.AppendLine("Actual, whole:");
        foreach (var line in actual)
        {
            text.Append("  ").AppendLine(line);
        }

        return text.ToString();
    }
}
