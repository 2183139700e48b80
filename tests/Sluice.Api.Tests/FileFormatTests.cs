using System.Text;
using Sluice.Formats;
using Sluice.Schemas;

namespace Sluice.Api.Tests;

/// <summary>The file source and sink with a row format: one record per line, bad lines to the dead letters with their field path.</summary>
public sealed class FileFormatTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(1);
    private static readonly Schema s_schema = Schema.Parse("id INT NOT NULL, name STRING, tags ARRAY<STRING>");
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sluice-file-format-" + Guid.NewGuid().ToString("N"));

    public FileFormatTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task FromFile_CsvRows_ReadsEachLineAndDeadLettersBadOnesWithFieldPath()
    {
        var path = Path.Combine(_root, "in.csv");
        File.WriteAllText(path, "\uFEFF1,Ada,a;b\r\n\nx,Bob,\n3,\"Cy, Jr\",\n4,Dee\n", new UTF8Encoding(false));
        var env = StreamEnvironment.Create();
        var rows = env.FromFile(path, MessageDeserializers.Rows(RowFormats.Csv.CreateDeserializer(s_schema)));
        var good = rows.Collect();
        var dead = rows.GetSideOutput(DeadLetters.Tag).Collect();

        await env.ExecuteAsync().WaitAsync(s_timeout);

        good.Items.ShouldBe([
            Row.Of(s_schema, 1, "Ada", new List<object?> { "a", "b" }),
            Row.Of(s_schema, 3, "Cy, Jr", null),
        ]);
        dead.Items.Count.ShouldBe(2);
        // The envelope: the file and line, the kind (a field at fault is a schema error), the line's bytes as read.
        (dead.Items[0] with { Original = null }).ShouldBe(new DeadLetter(path, "line 3", "Field 'id': 'x' is not an INT.", "x,Bob,", "id") { Kind = DeadLetterKind.Schema });
        (dead.Items[1] with { Original = null }).ShouldBe(new DeadLetter(path, "line 5", "The record has 2 fields but the schema has 3.", "4,Dee") { Kind = DeadLetterKind.Parse });
        dead.Items.Select(d => Encoding.UTF8.GetString(d.Original!)).ShouldBe(["x,Bob,", "4,Dee"]);
    }

    [Fact]
    public async Task WriteFile_JsonRows_WritesOneLinePerRecord()
    {
        var path = Path.Combine(_root, "out", "rows.jsonl");
        var env = StreamEnvironment.Create();
        env.FromCollection([Row.Of(s_schema, 1, "Ada", new List<object?> { "a" }), Row.Of(s_schema, 2, null, null)])
            .WriteFile(path, MessageSerializers.Rows(RowFormats.Json.CreateSerializer(s_schema)));

        await env.ExecuteAsync().WaitAsync(s_timeout);

        File.ReadAllText(path).ShouldBe("""
            {"id":1,"name":"Ada","tags":["a"]}
            {"id":2,"name":null,"tags":null}

            """.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task WriteFile_ThenFromFile_CsvRoundTrip()
    {
        var path = Path.Combine(_root, "round.csv");
        var rows = new[] { Row.Of(s_schema, 1, "line\twith tab", new List<object?>()), Row.Of(s_schema, 2, "", new List<object?> { "x" }) };
        var write = StreamEnvironment.Create();
        write.FromCollection(rows).WriteFile(path, MessageSerializers.Rows(RowFormats.Csv.CreateSerializer(s_schema)));
        await write.ExecuteAsync().WaitAsync(s_timeout);

        var read = StreamEnvironment.Create();
        var back = read.FromFile(path, MessageDeserializers.Rows(RowFormats.Csv.CreateDeserializer(s_schema))).Collect();
        await read.ExecuteAsync().WaitAsync(s_timeout);

        back.Items.ShouldBe(rows);
    }
}
