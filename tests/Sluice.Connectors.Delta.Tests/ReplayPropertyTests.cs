using CsCheck;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>
/// Random sequences of appends (plain, empty, idempotent with repeated or older transaction versions) with a checkpoint
/// every 3 commits replay, at every version, to the state of a simple model: the list of rows and the last version of
/// each application. The latest state is also read with every commit the last checkpoint covers deleted.
/// </summary>
public sealed class ReplayPropertyTests
{
    private static readonly Schema s_schema = Schema.Parse("k INT NOT NULL, tag STRING");

    private sealed record Op(int[] Keys, string? App, int TxnVersion);

    private static readonly Gen<Op> s_op = Gen.Select(
        Gen.Int[0, 100].Array[0, 4],
        Gen.Int[0, 2].Select(i => i switch { 0 => null, 1 => "a", _ => (string?)"b" }),
        Gen.Int[0, 4],
        (keys, app, version) => new Op(keys, app, version));

    [Fact]
    public void Appends_AnySequence_ReplayToTheModelAtEveryVersion()
    {
        s_op.Array[1, 9].Sample(ops =>
        {
            using var temp = new TempDirectory();
            var table = DeltaTable.Create(temp.File("t"), s_schema, options: new DeltaTableOptions { CheckpointInterval = 3 });
            var model = new List<(List<int> Rows, Dictionary<string, long> Apps)> { ([], []) };
            foreach (var op in ops)
            {
                var (rows, apps) = model[^1];
                var options = op.App is null ? DeltaAppendOptions.Default : new DeltaAppendOptions { AppId = op.App, TransactionVersion = op.TxnVersion };
                var result = table.Append(op.Keys.Select(k => Row.Of(s_schema, k, k % 2 == 0 ? null : $"t{k}")), options);

                var skipped = op.App is not null && apps.TryGetValue(op.App, out var last) && last >= op.TxnVersion;
                var commits = !skipped && (op.Keys.Length > 0 || op.App is not null);
                result.Skipped.ShouldBe(skipped);
                result.Version.ShouldBe(commits ? model.Count : null);
                if (commits)
                {
                    var nextApps = new Dictionary<string, long>(apps);
                    if (op.App is not null)
                    {
                        nextApps[op.App] = op.TxnVersion;
                    }
                    model.Add(([.. rows, .. op.Keys], nextApps));
                }
            }
            for (var v = 0; v < model.Count; v++)
            {
                AssertState(table, table.GetSnapshot(v), model[v]);
            }
            var checkpoint = (model.Count - 1) / 3 * 3;
            if (checkpoint > 0)
            {
                for (var v = 0; v <= checkpoint; v++)
                {
                    File.Delete(Path.Combine(table.Path, "_delta_log", $"{v:D20}.json"));
                }
                AssertState(table, DeltaTable.Open(table.Path).GetSnapshot(), model[^1]);
            }
        }, iter: 40, print: ops => string.Join("; ", ops.Select(o => $"[{string.Join(",", o.Keys)}] {o.App}:{o.TxnVersion}")));
    }

    private static void AssertState(DeltaTable table, DeltaSnapshot snapshot, (List<int> Rows, Dictionary<string, long> Apps) expected)
    {
        table.ReadRows(snapshot).Select(r => r.GetInt32(0)).Order().ShouldBe(expected.Rows.Order(), $"version {snapshot.Version}");
        foreach (var app in new[] { "a", "b" })
        {
            snapshot.GetTransactionVersion(app).ShouldBe(expected.Apps.TryGetValue(app, out var v) ? v : null, $"app {app} at version {snapshot.Version}");
        }
    }
}
