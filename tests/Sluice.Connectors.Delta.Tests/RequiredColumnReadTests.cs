using System.Buffers;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>
/// NOT NULL columns are written as required Parquet columns (no definition levels). Reading them must not depend on
/// what the shared array pool holds: Parquet.Net 6.1.0's nullable read rents definition levels from it without clearing
/// them, and leaves them unset for a required column, so a negative number left by an earlier user read as a null.
/// </summary>
public sealed class RequiredColumnReadTests
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, amount DOUBLE, tag STRING");

    [Fact]
    public void ReadRows_RequiredColumn_IgnoresWhatTheArrayPoolHolds()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);
        const int count = 1_000;
        table.Append(Enumerable.Range(0, count).Select(i => Row.Of(s_schema, 2L * i, i % 3 == 0 ? null : (double)i, "t")));

        // Leave negative numbers in the pool's arrays of the size the reader rents (per thread first, so this thread's).
        var poisoned = Enumerable.Range(0, 4).Select(_ => ArrayPool<int>.Shared.Rent(count)).ToList();
        foreach (var array in poisoned)
        {
            Array.Fill(array, -1);
            ArrayPool<int>.Shared.Return(array);
        }

        var ids = table.ReadRows().Select(r => r.GetInt64(0)).Order().ToList();

        ids.ShouldBe(Enumerable.Range(0, count).Select(i => 2L * i));
    }
}
