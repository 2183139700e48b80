using CsCheck;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>
/// Random sequences of append, MERGE (upserts with delete markers), DELETE and OPTIMIZE, on partitioned and
/// unpartitioned tables, leave the table equal to a simple model — a list of (key, value) rows changed by the
/// operations' plain definitions — at every version. Then VACUUM (forced, zero retention: only the latest version is
/// retained) keeps the latest version complete.
/// </summary>
public sealed class TableOperationPropertyTests
{
    private static readonly Schema s_schema = Schema.Parse("k INT NOT NULL, p STRING, v STRING");

    private abstract record Op;

    private sealed record AppendOp(int[] Keys) : Op;

    private sealed record MergeOp((int Key, bool Delete)[] Changes) : Op;

    private sealed record DeleteOp(int Bound, bool Equal) : Op;

    private sealed record OptimizeOp : Op;

    private static readonly Gen<Op> s_op = Gen.Frequency(
        (3, Gen.Int[0, 30].Array[0, 5].Select(k => (Op)new AppendOp(k))),
        (3, Gen.Select(Gen.Int[0, 30], Gen.Int[0, 3].Select(i => i == 0), (k, d) => (k, d)).Array[0, 6]
            .Select(c => (Op)new MergeOp([.. c.DistinctBy(x => x.k)]))),
        (2, Gen.Select(Gen.Int[0, 30], Gen.Bool, (b, e) => (Op)new DeleteOp(b, e))),
        (1, Gen.Const((Op)new OptimizeOp())));

    private static string PartitionOf(int key) => $"p{key % 3}";

    [Fact]
    public void Operations_AnySequence_MatchTheModelAtEveryVersion()
    {
        Gen.Select(s_op.Array[1, 8], Gen.Bool).Sample((ops, partitioned) =>
        {
            using var temp = new TempDirectory();
            var table = DeltaTable.Create(temp.File("t"), s_schema, partitionBy: partitioned ? ["p"] : null);
            var model = new List<(int K, string V)>();
            var states = new Dictionary<long, List<(int, string)>> { [0] = [] };
            var step = 0;
            foreach (var op in ops)
            {
                step++;
                var value = $"s{step}";
                long? version;
                switch (op)
                {
                    case AppendOp append:
                        version = table.Append(append.Keys.Select(k => Row.Of(s_schema, k, PartitionOf(k), value))).Version;
                        model.AddRange(append.Keys.Select(k => (k, value)));
                        break;
                    case MergeOp merge:
                        version = table.Merge(merge.Changes.Select(c =>
                        {
                            var row = Row.Of(s_schema, c.Key, PartitionOf(c.Key), value);
                            row.Kind = c.Delete ? RowKind.Delete : RowKind.UpdateAfter;
                            return row;
                        }), ["k"]).Version;
                        foreach (var (key, delete) in merge.Changes)
                        {
                            // Every matching row is replaced (or deleted); a key that matches nothing is inserted once.
                            var matched = model.RemoveAll(r => r.K == key);
                            if (!delete)
                            {
                                model.AddRange(Enumerable.Repeat((key, value), Math.Max(matched, 1)));
                            }
                        }
                        break;
                    case DeleteOp delete:
                        version = table.Delete(delete.Equal ? DeltaPredicate.Equal("k", delete.Bound) : DeltaPredicate.LessThan("k", delete.Bound)).Version;
                        model.RemoveAll(r => delete.Equal ? r.K == delete.Bound : r.K < delete.Bound);
                        break;
                    default:
                        version = table.Optimize().Version;
                        break;
                }
                if (version is { } v)
                {
                    states[v] = [.. model];
                }
                Read(table, null).ShouldBe(Sorted(model), $"after step {step} ({op})");
            }
            foreach (var (v, rows) in states)
            {
                Read(table, v).ShouldBe(Sorted(rows), $"version {v}");
            }
            table.Vacuum(TimeSpan.Zero, force: true);
            Read(table, null).ShouldBe(Sorted(model), "after VACUUM");
        }, iter: 25, print: t => $"{(t.Item2 ? "partitioned" : "unpartitioned")}: {string.Join("; ", t.Item1.Select(o => o.ToString()))}");
    }

    private static List<(int, string)> Read(DeltaTable table, long? version) =>
        Sorted(table.ReadRows(table.GetSnapshot(version)).Select(r => (r.GetInt32(0), r.GetString(2)!)));

    private static List<(int, string)> Sorted(IEnumerable<(int, string)> rows) => [.. rows.Order()];
}
