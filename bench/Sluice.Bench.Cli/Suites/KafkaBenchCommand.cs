using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sluice.Benchmarks.Kafka;
using Sluice.Connectors.Kafka;
using Spectre.Console;

namespace Sluice.Bench.Cli.Suites;

/// <summary><c>sluice bench kafka</c>: Sluice's Kafka sink and source next to a raw Confluent.Kafka producer and consumer (docs/benchmarks.md).</summary>
internal static class KafkaBenchCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var records = new Option<int>("--records") { Description = "Records per scenario (at least 1).", DefaultValueFactory = _ => 1_000_000 }.MustBeAtLeast(1);
        var size = new Option<int>("--record-bytes") { Description = "Value size in bytes (keys are 8 bytes; 0 to 1000000).", DefaultValueFactory = _ => 100 }.MustBeBetween(0, 1_000_000);
        var partitions = new Option<int>("--partitions") { Description = "Partitions per topic (mock cluster only; a real cluster auto-creates its topics with its defaults; 1 to 10000).", DefaultValueFactory = _ => 8 }
            .MustBeBetween(1, 10_000);
        var parallelism = new Option<int>("--parallelism") { Description = "Sluice source and sink subtasks (1 to 256).", DefaultValueFactory = _ => 1 }.MustBeBetween(1, 256);
        var bootstrap = new Option<string?>("--bootstrap") { Description = "A cluster to use (host:port,…); default: librdkafka's mock cluster in this process." }
            .MustSatisfy(b => !string.IsNullOrWhiteSpace(b), "must name bootstrap servers (host:port[,host:port…])");
        var config = new Option<FileInfo?>("--kafka-config")
        {
            Description = "A Kafka client properties file (key=value lines, e.g. Confluent Cloud's client.properties) for a real cluster: SASL/SSL settings, "
                + "and bootstrap.servers unless --bootstrap names them. Values are never printed.",
        }.MustSatisfy(f => f is { Exists: true }, "must name an existing file");
        var json = new Option<bool>("--json") { Description = "One JSON object per line per scenario instead of a table." };
        var command = new Command("kafka", "Kafka throughput: Sluice sink and source vs a raw Confluent.Kafka producer and consumer on the same cluster, in the same run.")
        {
            records, size, partitions, parallelism, bootstrap, config, json,
        };
        command.SetAction(parse =>
        {
            var options = new KafkaBenchmarkOptions
            {
                Records = parse.GetValue(records),
                RecordBytes = parse.GetValue(size),
                Partitions = parse.GetValue(partitions),
                Parallelism = parse.GetValue(parallelism),
                BootstrapServers = parse.GetValue(bootstrap),
            };
            if (parse.GetValue(config) is { } file)
            {
                try
                {
                    var connection = KafkaConnectionOptions.FromPropertiesFile(file.FullName, options.BootstrapServers);
                    options = options with { BootstrapServers = connection.BootstrapServers, Properties = connection.Properties };
                }
                catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"error: {e.Message}");
                    return 2;
                }
            }
            var asJson = parse.GetValue(json);
            var results = KafkaBenchmark.Run(options, asJson ? null : message => Console.Error.WriteLine(message));
            if (asJson)
            {
                foreach (var r in results)
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(new
                    {
                        scenario = r.Scenario,
                        records = r.Records,
                        seconds = r.Seconds,
                        records_per_sec = r.RecordsPerSecond,
                        vs_raw = r.VersusRaw,
                        record_bytes = options.RecordBytes,
                        partitions = options.Partitions,
                        parallelism = options.Parallelism,
                        cluster = options.BootstrapServers is null ? "librdkafka mock" : "external",
                    }));
                }
                return 0;
            }
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var column in new[] { "scenario", "records", "seconds", "records/s", "vs raw" })
            {
                table.AddColumn(new TableColumn(column).RightAligned());
            }
            foreach (var r in results)
            {
                table.AddRow(
                    r.Scenario,
                    r.Records.ToString("N0", CultureInfo.InvariantCulture),
                    r.Seconds.ToString("F2", CultureInfo.InvariantCulture),
                    r.RecordsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                    r.VersusRaw is { } v ? v.ToString("P0", CultureInfo.InvariantCulture) : "");
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
