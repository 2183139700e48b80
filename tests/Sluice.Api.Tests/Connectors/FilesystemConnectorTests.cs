using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Filesystem;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Api.Tests.Connectors;

/// <summary>The 'filesystem' connector from option dictionaries: exactly-once part files, reading a file back, and bad options.</summary>
public sealed class FilesystemConnectorTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(1);
    private static readonly Schema s_schema = Schema.Parse("id INT NOT NULL, name STRING");
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sluice-filesystem-" + Guid.NewGuid().ToString("N"));
    private readonly ConnectorRegistry _registry = new ConnectorRegistry().Register(new FilesystemConnectorFactory());

    public FilesystemConnectorTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Dictionary<string, string> Options(string path, string format, params (string Key, string Value)[] more)
    {
        var options = new Dictionary<string, string> { ["connector"] = "filesystem", ["path"] = path, ["format"] = format };
        foreach (var (key, value) in more)
        {
            options[key] = value;
        }
        return options;
    }

    [Fact]
    public async Task Sink_Csv_CommitsOnePartFileWithEveryRow()
    {
        var dir = Path.Combine(_root, "out");
        var env = StreamEnvironment.Create();
        env.FromCollection([Row.Of(s_schema, 1, "Ada"), Row.Of(s_schema, 2, null), Row.Of(s_schema, 3, "Cy; Jr")])
            .SinkTo(_registry.CreateSink("out", s_schema, Options(dir, "csv", ("csv.field-delimiter", ";"))));

        await env.ExecuteAsync().WaitAsync(s_timeout);

        var files = PartFileSink<Row>.CommittedFiles(dir, ".csv");
        files.Select(Path.GetFileName).ShouldBe(["part-0-0000000000.csv"]);
        File.ReadAllText(files[0]).ShouldBe("1;Ada\n2;\n3;\"Cy; Jr\"\n");
        Directory.GetFiles(Path.Combine(dir, ".staging")).ShouldBeEmpty();
    }

    [Fact]
    public async Task SourceAndSink_Json_RoundTripTheRows()
    {
        var dir = Path.Combine(_root, "json");
        var rows = new[] { Row.Of(s_schema, 1, "Ada"), Row.Of(s_schema, 2, null) };
        var write = StreamEnvironment.Create();
        write.FromCollection(rows).SinkTo(_registry.CreateSink("out", s_schema, Options(dir, "json")));
        await write.ExecuteAsync().WaitAsync(s_timeout);
        var file = PartFileSink<Row>.CommittedFiles(dir, ".jsonl").ShouldHaveSingleItem();
        File.ReadAllText(file).ShouldBe("{\"id\":1,\"name\":\"Ada\"}\n{\"id\":2,\"name\":null}\n");

        var read = StreamEnvironment.Create();
        var back = read.FromSource(_registry.CreateSource("in", s_schema, Options(file, "json"))).Collect();
        await read.ExecuteAsync().WaitAsync(s_timeout);

        back.Items.ShouldBe(rows);
    }

    [Fact]
    public async Task Source_BadLine_BecomesADeadLetterWithLineAndFieldPath()
    {
        var path = Path.Combine(_root, "in.csv");
        File.WriteAllText(path, "1,Ada\nx,Bob\n");
        var env = StreamEnvironment.Create();
        var rows = env.FromSource(_registry.CreateSource("in", s_schema, Options(path, "csv")));
        var good = rows.Collect();
        var dead = rows.GetSideOutput(DeadLetters.Tag).Collect();

        await env.ExecuteAsync().WaitAsync(s_timeout);

        good.Items.ShouldBe([Row.Of(s_schema, 1, "Ada")]);
        (dead.Items.ShouldHaveSingleItem() with { Original = null }).ShouldBe(new DeadLetter(path, "line 2", "Field 'id': 'x' is not an INT.", "x,Bob", "id") { Kind = DeadLetterKind.Schema });
        dead.Items[0].Original.ShouldBe("x,Bob"u8.ToArray());
    }

    [Theory]
    [InlineData("format", "xml", "Option 'format' of connector 'filesystem' must be one of 'json', 'csv', 'raw', 'parquet' (got 'xml').")]
    public void CreateSink_BadFormat_OneSentenceNamingOptionValueAndChoices(string key, string value, string expected)
    {
        var options = Options(Path.Combine(_root, "out"), "json");
        options[key] = value;

        var error = Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("out", s_schema, options));

        error.Message.ShouldBe(expected);
        error.Key.ShouldBe(key);
    }

    [Fact]
    public void CreateSink_OtherFormatsOption_NamesBothFormats()
    {
        var options = Options(Path.Combine(_root, "out"), "json", ("csv.field-delimiter", ";"));

        var error = Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("out", s_schema, options));

        error.Message.ShouldBe("Option 'csv.field-delimiter' of connector 'filesystem' is an option of the csv format, but 'format' is 'json'; give it only with that format, so remove it (got ';').");
    }

    [Fact]
    public void CreateSink_BadFormatValue_FormatNamesOptionValueAndChoices()
    {
        var options = Options(Path.Combine(_root, "out"), "json", ("json.ignore-parse-errors", "maybe"));

        var error = Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("out", s_schema, options));

        error.Message.ShouldBe("Option 'json.ignore-parse-errors' of format 'json' must be 'true' or 'false' (got 'maybe').");
        error.Key.ShouldBe("json.ignore-parse-errors");
    }

    [Fact]
    public void CreateSink_UnknownFormatKey_ListsTheFormatsKeys()
    {
        var options = Options(Path.Combine(_root, "out"), "raw", ("raw.encodng", "UTF-8"));

        var error = Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("out", Schema.Parse("line STRING"), options));

        error.Message.ShouldStartWith("Format 'raw' has no option 'raw.encodng'; its options are: raw.charset");
    }

    [Fact]
    public void CreateSink_UnknownKey_ListsTheConnectorsKeys()
    {
        var options = Options(Path.Combine(_root, "out"), "json", ("sink.rolling-policy.max-size", "1MB"));

        var error = Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("out", s_schema, options));

        error.Message.ShouldBe("Connector 'filesystem' has no option 'sink.rolling-policy.max-size'; its options are: csv.#, format, json.#, parquet.block.size, parquet.compression, "
            + "partition.default-name, path, raw.#, schema.evolution, sink.rolling-policy.check-interval, sink.rolling-policy.file-size, sink.rolling-policy.rollover-interval.");
    }
}
