using CsCheck;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Tests.Syntax;

/// <summary>No input makes the parser throw anything but <see cref="SqlException"/>, loop or overflow the stack.</summary>
public sealed class SqlParserFuzzTests
{
    private static readonly TimeSpan s_budget = TimeSpan.FromMinutes(2);

    private static readonly string[] s_vocabulary =
    [
        "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET", "FETCH", "FIRST", "ROWS", "ONLY",
        "JOIN", "LEFT", "CROSS", "ON", "USING", "AS", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "TRY_CAST", "EXTRACT",
        "TRIM", "INTERVAL", "SECOND", "MINUTE", "TO", "DATE", "TIMESTAMP", "TABLE", "TUMBLE", "DESCRIPTOR", "OVER",
        "PARTITION", "RANGE", "BETWEEN", "PRECEDING", "CURRENT", "ROW", "AND", "OR", "NOT", "IN", "LIKE", "ESCAPE", "IS",
        "NULL", "TRUE", "DISTINCT", "FILTER", "EXISTS", "ARRAY", "MAP", "WITH", "VALUES", "UNION", "ALL", "INTERSECT",
        "CREATE", "TEMPORARY", "VIEW", "FUNCTION", "IF", "WATERMARK", "FOR", "PRIMARY", "KEY", "ENFORCED", "METADATA",
        "VIRTUAL", "COMMENT", "PARTITIONED", "INSERT", "INTO", "OVERWRITE", "EXECUTE", "STATEMENT", "SET", "BEGIN",
        "RESET", "SHOW", "TABLES", "DESCRIBE", "EXPLAIN", "PLAN", "DROP", "LATERAL", "UNNEST", "SYSTEM_TIME", "OF",
        "CURRENT_TIMESTAMP", "INT", "BIGINT", "DECIMAL", "VARCHAR", "ARRAY<INT>", "ROW<", ">", "<", "MAP<", "NOT NULL",
        "a", "b", "t", "bid", "`q`", "`a b`", "'x'", "'it''s'", "'10'", "'1:30'", "'2024-01-31'", "1", "0.5", "1e3",
        "X'00'", "(", ")", "(", ")", "[", "]", ",", ",", ".", ";", "+", "-", "*", "/", "%", "||", "=", "<>", "!=",
        "<=", ">=", "=>", "--", "/*", "*/", "${X}", "\"", "'", "`", "#", "\n", "X'0", "1e", "9999999999999999999999",
    ];

    [Fact]
    public async Task ParseScript_RandomTokenSoup_OnlyThrowsSqlException()
    {
        var soup = Gen.Int[0, s_vocabulary.Length - 1].Array[0, 40].Select(indexes => string.Join(' ', indexes.Select(i => s_vocabulary[i])));

        var run = Task.Run(() => soup.Sample(ParsesOrRejects, iter: 20_000));

        await run.WaitAsync(s_budget);
        run.IsCompletedSuccessfully.ShouldBeTrue();
    }

    [Fact]
    public async Task ParseScript_TruncatedNexmarkFile_OnlyThrowsSqlException()
    {
        var files = NexmarkCorpusTests.FileNames().Select(NexmarkCorpusTests.Load).ToArray();
        var cuts = Gen.Select(Gen.Int[0, files.Length - 1], Gen.Double[0, 1])
            .Select((file, fraction) => files[file][..(int)(files[file].Length * fraction)]);

        var run = Task.Run(() => cuts.Sample(ParsesOrRejects, iter: 5_000));

        await run.WaitAsync(s_budget);
        run.IsCompletedSuccessfully.ShouldBeTrue();
    }

    [Fact]
    public async Task ParseScript_NexmarkFileWithOneTokenDeleted_OnlyThrowsSqlException()
    {
        var files = NexmarkCorpusTests.FileNames().Select(NexmarkCorpusTests.Load).ToArray();
        var edits = Gen.Select(Gen.Int[0, files.Length - 1], Gen.Double[0, 1], Gen.Int[1, 8]).Select((file, fraction, length) =>
        {
            var text = files[file];
            var at = (int)(text.Length * fraction);
            return text.Remove(Math.Min(at, text.Length), Math.Min(length, text.Length - Math.Min(at, text.Length)));
        });

        var run = Task.Run(() => edits.Sample(ParsesOrRejects, iter: 5_000));

        await run.WaitAsync(s_budget);
        run.IsCompletedSuccessfully.ShouldBeTrue();
    }

    private static void ParsesOrRejects(string sql)
    {
        try
        {
            SqlParser.ParseScript(sql);
        }
        catch (SqlException error)
        {
            // The error points inside the text (or at its end).
            error.Position.ShouldNotBeNull();
            error.Position.Value.Offset.ShouldBeInRange(0, sql.Length);
            error.Describe(sql).ShouldStartWith(error.Message);
        }
    }
}
