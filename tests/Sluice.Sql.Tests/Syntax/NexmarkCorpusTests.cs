using Sluice.Sql.Syntax;

namespace Sluice.Sql.Tests.Syntax;

public sealed class NexmarkCorpusTests
{
    private static readonly Dictionary<string, string> s_placeholders = new()
    {
        ["${TPS}"] = "10000000",
        ["${EVENTS_NUM}"] = "100000000",
        ["${PERSON_PROPORTION}"] = "1",
        ["${AUCTION_PROPORTION}"] = "3",
        ["${BID_PROPORTION}"] = "46",
        ["${KEEP_ALIVE}"] = "false",
        ["${STOP_AT}"] = "-1",
        ["${BOOTSTRAP_SERVERS}"] = "localhost:9092",
        ["${NEXMARK_TABLE}"] = "datagen",
        ["${NEXMARK_DIR}"] = "/tmp/nexmark",
        ["${SUBMIT_TIME}"] = "0",
        ["${FLINK_HOME}"] = "/opt/flink",
    };

    public static TheoryData<string> Files() => new(FileNames());

    internal static List<string> FileNames() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "nexmark"), "*.sql").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    internal static string Load(string file)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "nexmark", file));
        foreach (var (placeholder, value) in s_placeholders)
        {
            text = text.Replace(placeholder, value, StringComparison.Ordinal);
        }
        return text;
    }

    [Fact]
    public void Files_Corpus_HoldsEveryQueryAndDdl()
    {
        var files = FileNames();

        files.ShouldContain("ddl_gen.sql");
        files.ShouldContain("ddl_views.sql");
        for (int q = 0; q <= 22; q++)
        {
            files.ShouldContain($"q{q}.sql");
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ParseScript_NexmarkFile_ParsesEveryStatement(string file)
    {
        var sql = Load(file);
        sql.ShouldNotContain("${");

        var statements = SqlParser.ParseScript(sql);

        statements.ShouldNotBeEmpty();
        // Every statement the files hold starts with CREATE or INSERT.
        var expected = sql.Split(';').Count(part => StripComments(part).Trim().Length > 0);
        statements.Count.ShouldBe(expected);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Format_NexmarkStatement_ParsesBackToEqualTree(string file)
    {
        foreach (var statement in SqlParser.ParseScript(Load(file)))
        {
            var printed = SqlFormatter.Format(statement);

            var reparsed = SqlParser.ParseStatement(printed);

            reparsed.ShouldBe(statement, printed);
        }
    }

    [Fact]
    public void ParseScript_PlaceholderLeftIn_FailsAtPlaceholder()
    {
        var sql = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "nexmark", "ddl_views.sql"));

        var error = Should.Throw<SqlException>(() => SqlParser.ParseScript(sql));

        error.Message.ShouldContain("placeholder");
        sql.Substring(error.Position!.Value.Offset, 2).ShouldBe("${");
    }

    private static string StripComments(string text) =>
        string.Join('\n', text.Split('\n').Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal)));
}
