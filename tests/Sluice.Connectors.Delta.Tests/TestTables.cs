using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>The tables under Data/ (written by Spark and delta-rs), and helpers to copy them somewhere writable.</summary>
internal static class TestTables
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Data", name);

    /// <summary>Copies table <paramref name="name"/> into <paramref name="directory"/> and returns the copy's path.</summary>
    public static string CopyTo(string name, TempDirectory directory)
    {
        var source = PathOf(name);
        var target = directory.File(name);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        return target;
    }

    /// <summary>The values of column <paramref name="column"/> of <paramref name="rows"/>, sorted (nulls first).</summary>
    public static List<object?> Column(IEnumerable<Row> rows, string column)
    {
        var values = rows.Select(r => r.GetValue(r.Schema.GetIndex(column))).ToList();
        values.Sort((a, b) => a is null ? (b is null ? 0 : -1) : b is null ? 1 : Comparer<object>.Default.Compare(a, b));
        return values;
    }
}
