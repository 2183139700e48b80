using System.Text.Json;
using System.Text.RegularExpressions;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>
/// Sluice's own tables checked against PROTOCOL.md's rules by reading the raw log (not through Sluice's reader), so
/// that Spark and delta-rs can read them.
/// </summary>
public sealed partial class ProtocolConformanceTests
{
    [GeneratedRegex("^[0-9]{20}\\.(json|checkpoint\\.parquet)$|^_last_checkpoint$")]
    private static partial Regex LogFileName();

    [GeneratedRegex("^[A-Za-z0-9\\-_.~/=%]+$")]
    private static partial Regex UriPath();

    [Fact]
    public void SluiceTable_FollowsTheProtocolsRules()
    {
        using var temp = new TempDirectory();
        var schema = Schema.Parse("id BIGINT NOT NULL, city STRING, amount DOUBLE, day DATE");
        var table = DeltaTable.Create(temp.File("t"), schema, ["city"]);
        for (var i = 0; i < 12; i++)
        {
            table.Append([Row.Of(schema, (long)i, i % 3 == 0 ? null : $"city #{i % 3}/ü", i * 1.5, new DateOnly(2026, 1, 1 + i))],
                new DeltaAppendOptions { AppId = "app", TransactionVersion = i });
        }
        var log = Path.Combine(table.Path, "_delta_log");

        // Log file names: 20-digit versions, classic checkpoints, _last_checkpoint; no temporary file left behind.
        foreach (var file in Directory.GetFiles(log))
        {
            LogFileName().IsMatch(Path.GetFileName(file)).ShouldBeTrue(Path.GetFileName(file));
        }
        for (var v = 0; v <= 12; v++)
        {
            var lines = File.ReadAllLines(Path.Combine(log, $"{v:D20}.json"));
            var actions = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
            // Every line is one object with exactly one action.
            actions.ShouldAllBe(a => a.EnumerateObject().Count() == 1);
            var names = actions.Select(a => a.EnumerateObject().Single().Name).ToList();
            // At most one metaData and one protocol per version; version 0 starts with protocol, then metaData.
            names.Count(n => n == "metaData").ShouldBeLessThanOrEqualTo(1);
            names.Count(n => n == "protocol").ShouldBeLessThanOrEqualTo(1);
            if (v == 0)
            {
                names.Take(2).ShouldBe(["protocol", "metaData"]);
            }
            // At most one txn per appId.
            actions.Where(a => a.TryGetProperty("txn", out _)).Select(a => a.GetProperty("txn").GetProperty("appId").GetString()).ShouldBeUnique();
            foreach (var action in actions.Where(a => a.TryGetProperty("add", out _)).Select(a => a.GetProperty("add")))
            {
                var path = action.GetProperty("path").GetString()!;
                // A relative URI path, percent-encoded, that decodes to an existing file under the table root.
                path.ShouldNotStartWith("/");
                path.ShouldNotContain(":");
                UriPath().IsMatch(path).ShouldBeTrue(path);
                File.Exists(Path.Combine(table.Path, Uri.UnescapeDataString(path))).ShouldBeTrue(path);
                new FileInfo(Path.Combine(table.Path, Uri.UnescapeDataString(path))).Length.ShouldBe(action.GetProperty("size").GetInt64());
                // partitionValues holds exactly the partition columns; the directory agrees with the value.
                var values = action.GetProperty("partitionValues");
                values.EnumerateObject().Select(p => p.Name).ShouldBe(["city"]);
                var city = values.GetProperty("city");
                Uri.UnescapeDataString(path).ShouldStartWith(city.ValueKind == JsonValueKind.Null
                    ? "city=__HIVE_DEFAULT_PARTITION__/"
                    : "city=" + city.GetString()!.Replace("/", "%2F", StringComparison.Ordinal).Replace("#", "%23", StringComparison.Ordinal) + "/");
                action.GetProperty("dataChange").GetBoolean().ShouldBeTrue();
                action.GetProperty("modificationTime").ValueKind.ShouldBe(JsonValueKind.Number);
                // Stats: a JSON string of numRecords and per-column objects of the data (non-partition) columns.
                using var stats = JsonDocument.Parse(action.GetProperty("stats").GetString()!);
                var root = stats.RootElement;
                root.GetProperty("numRecords").GetInt64().ShouldBe(1);
                root.GetProperty("nullCount").EnumerateObject().Select(p => p.Name).ShouldBe(["id", "amount", "day"]);
                root.GetProperty("minValues").GetProperty("day").GetString()!.ShouldMatch("^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
                root.GetProperty("minValues").GetProperty("id").GetInt64().ShouldBe(root.GetProperty("maxValues").GetProperty("id").GetInt64());
            }
        }
        using var last = JsonDocument.Parse(File.ReadAllText(Path.Combine(log, "_last_checkpoint")));
        last.RootElement.GetProperty("version").GetInt64().ShouldBe(10);
    }
}
