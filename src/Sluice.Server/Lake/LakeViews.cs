using System.Data.Common;
using Sluice.Connectors.Delta;

namespace Sluice.Server.Lake;

/// <summary>
/// The views a DuckDB connection gets over the lake (one folder per table under the lake directory), shared by
/// <c>sluice query</c> and the PostgreSQL endpoint. A folder holding a Delta table (a <c>_delta_log</c> with a commit)
/// becomes a view of one snapshot — the latest, or the version asked for — over exactly its active files; any other
/// folder holding Parquet files becomes a view over all of them, hive-partitioned. Views are built from the lake as it
/// is when <see cref="Plan"/> runs: create them per connection or query so they show the snapshot of that moment.
/// Stateless and thread-safe.
/// </summary>
internal static class LakeViews
{
    /// <summary>
    /// The <c>CREATE OR REPLACE TEMP VIEW</c> statements for the lake at <paramref name="lakeDirectory"/> (none when it is
    /// missing), and one message per table that could not be made a view (a damaged Delta log, say: that table gets no
    /// view, the others still do).
    /// </summary>
    /// <param name="lakeDirectory">The lake's root folder (full path).</param>
    /// <param name="deltaVersions">The version to read per Delta table name (time travel), or null for the latest of all.</param>
    /// <exception cref="ArgumentException">A name in <paramref name="deltaVersions"/> is not a Delta table of the lake; the message names it.</exception>
    public static LakeViewPlan Plan(string lakeDirectory, IReadOnlyDictionary<string, long>? deltaVersions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(lakeDirectory);
        var statements = new List<string>();
        var problems = new List<string>();
        var tables = Directory.Exists(lakeDirectory) ? Directory.GetDirectories(lakeDirectory) : [];
        Array.Sort(tables, StringComparer.Ordinal);
        var deltaNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            var name = Path.GetFileName(table);
            var view = "CREATE OR REPLACE TEMP VIEW " + Identifier(name) + " AS ";
            if (DeltaTable.Exists(table))
            {
                deltaNames.Add(name);
                long? version = deltaVersions is not null && deltaVersions.TryGetValue(name, out var asked) ? asked : null;
                try
                {
                    statements.Add(view + DeltaDuckDbView.SelectStatement(DeltaTable.Open(table).GetSnapshot(version)));
                }
                catch (DeltaException e)
                {
                    if (version is not null)
                    {
                        throw new ArgumentException($"Delta table '{name}' cannot be read at version {version}: {e.Message}", nameof(deltaVersions), e);
                    }
                    problems.Add($"lake table '{name}' is a Delta table Sluice cannot read, so it has no view: {e.Message}");
                }
            }
            else if (Directory.EnumerateFiles(table, "*.parquet", SearchOption.AllDirectories).Any())
            {
                statements.Add(view + "SELECT * FROM read_parquet(" + Literal(table + "/**/*.parquet") + ", hive_partitioning = true, union_by_name = true)");
            }
        }
        foreach (var name in deltaVersions?.Keys ?? [])
        {
            if (!deltaNames.Contains(name))
            {
                throw new ArgumentException($"'{name}' is not a Delta table in the lake {lakeDirectory}; name a folder holding a _delta_log.", nameof(deltaVersions));
            }
        }
        return new LakeViewPlan(statements, problems);
    }

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}

/// <summary>What <see cref="LakeViews.Plan"/> found: the statements to run, in order, and the tables left without a view (one sentence each).</summary>
internal sealed record LakeViewPlan(IReadOnlyList<string> Statements, IReadOnlyList<string> Problems)
{
    /// <summary>
    /// Runs the statements on <paramref name="connection"/>. A view DuckDB refuses to create (it opens the files when it
    /// binds the view: a data file deleted outside the log, say) is left out, so one damaged table never takes the
    /// others' views or the connection with it.
    /// </summary>
    /// <returns>One sentence per view left out, naming DuckDB's reason.</returns>
    public IReadOnlyList<string> CreateIn(DbConnection connection)
    {
        var refused = new List<string>();
        foreach (var statement in Statements)
        {
            using var command = connection.CreateCommand();
            command.CommandText = statement;
            try
            {
                command.ExecuteNonQuery();
            }
            catch (DbException e)
            {
                var name = statement["CREATE OR REPLACE TEMP VIEW ".Length..statement.IndexOf(" AS ", StringComparison.Ordinal)];
                refused.Add($"lake table {name} has no view: DuckDB cannot read it ({e.Message.Split('\n')[0]})");
            }
        }
        return refused;
    }
}
