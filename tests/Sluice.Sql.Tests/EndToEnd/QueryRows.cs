using Sluice.Schemas;
using Sluice.Sql.Session;

namespace Sluice.Sql.Tests.EndToEnd;

/// <summary>Runs a SELECT through a session and reads its whole result (the job must be bounded).</summary>
internal static class QueryRows
{
    /// <summary>Every changelog row of <paramref name="query"/>'s result, in arrival order.</summary>
    public static async Task<List<Row>> ChangelogAsync(SqlSession session, string query)
    {
        await using var result = session.Execute(query).ShouldHaveSingleItem().ShouldBeOfType<SqlQueryResult>();
        var rows = new List<Row>();
        await foreach (var row in result.ReadAllAsync().WithCancellation(CancellationToken.None))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Every changelog row of <paramref name="query"/>'s result as text (<c>+I[…]</c>), sorted ordinally.</summary>
    public static async Task<List<string>> SortedTextAsync(SqlSession session, string query)
    {
        var rows = (await ChangelogAsync(session, query)).ConvertAll(static row => row.ToString());
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }
}
