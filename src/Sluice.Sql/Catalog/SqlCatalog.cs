using Sluice.IO;

namespace Sluice.Sql.Catalog;

/// <summary>
/// The tables, views and functions SQL statements name. Permanent objects persist in the catalog file of a data
/// directory (<see cref="Open"/>) and are there again in the next session; temporary ones (<c>CREATE TEMPORARY …</c>)
/// live for this instance only and shadow a permanent object of the same name, as in Flink.
/// </summary>
/// <remarks>
/// <para>Table and view names are case-sensitive and share one namespace; function names are case-insensitive.
/// Qualified names <c>default_catalog.default_database.t</c> (or <c>default_database.t</c>) name <c>t</c>.</para>
/// <para>Thread-safe. Every change to a permanent object rewrites the catalog file atomically before it returns; if
/// that write fails the change is undone and the error propagates, so memory and disk never disagree.</para>
/// </remarks>
internal sealed class SqlCatalog
{
    /// <summary>The catalog's name in qualified object names.</summary>
    public const string DefaultCatalogName = "default_catalog";

    /// <summary>The database's name in qualified object names.</summary>
    public const string DefaultDatabaseName = "default_database";

    private readonly object _gate = new();
    private readonly string? _file;
    private readonly Dictionary<string, object> _permanent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object> _temporary = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CatalogFunction> _permanentFunctions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, CatalogFunction> _temporaryFunctions = new(StringComparer.OrdinalIgnoreCase);

    private SqlCatalog(string? file) => _file = file;

    /// <summary>A catalog that lives in memory only.</summary>
    public static SqlCatalog InMemory() => new(null);

    /// <summary>
    /// The catalog persisted in <paramref name="dataDirectory"/> (its file is <c>catalog/catalog.json</c>), loaded
    /// now; the directory is created, readable by its owner only, when missing (table options may hold secrets).
    /// </summary>
    /// <exception cref="CatalogFormatException">The catalog file is damaged or of a newer format.</exception>
    public static SqlCatalog Open(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var directory = Path.Combine(dataDirectory, "catalog");
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var file = Path.Combine(directory, CatalogFile.FileName);
        var catalog = new SqlCatalog(file);
        if (File.Exists(file))
        {
            var content = CatalogFile.Decode(File.ReadAllBytes(file), file);
            foreach (var (name, value) in content.Tables.Select(static t => (t.Name, (object)t)).Concat(content.Views.Select(static v => (v.Name, (object)v))))
            {
                if (!catalog._permanent.TryAdd(name, value))
                {
                    throw new CatalogFormatException($"The catalog file '{file}' holds two objects named '{name}'.");
                }
            }

            foreach (var function in content.Functions)
            {
                if (!catalog._permanentFunctions.TryAdd(function.Name, function))
                {
                    throw new CatalogFormatException($"The catalog file '{file}' holds two functions named '{function.Name}' (function names ignore case).");
                }
            }
        }

        return catalog;
    }

    /// <summary>The file permanent objects persist in; null for an in-memory catalog.</summary>
    public string? FilePath => _file;

    /// <summary>Adds a table after validating it (<see cref="CatalogTable.Validate"/>).</summary>
    /// <param name="table">The table.</param>
    /// <param name="temporary">Whether it lives for this session only.</param>
    /// <param name="ignoreIfExists">IF NOT EXISTS: do nothing when the name is taken (by a table or a view).</param>
    /// <param name="position">Where the statement is, for errors.</param>
    /// <returns>Whether the table was added.</returns>
    /// <exception cref="SqlException">The table is malformed, its name is qualified (holds a <c>.</c>: resolve it first), or the name is taken and <paramref name="ignoreIfExists"/> is false.</exception>
    public bool CreateTable(CatalogTable table, bool temporary = false, bool ignoreIfExists = false, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Validate(position);
        return Create(table.Name, table, "table", temporary, ignoreIfExists, position);
    }

    /// <summary>Adds a view.</summary>
    /// <returns>Whether the view was added.</returns>
    /// <exception cref="SqlException">The name is taken and <paramref name="ignoreIfExists"/> is false.</exception>
    public bool CreateView(CatalogView view, bool temporary = false, bool ignoreIfExists = false, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        return Create(view.Name, view, "view", temporary, ignoreIfExists, position);
    }

    /// <summary>Adds a user-defined function.</summary>
    /// <returns>Whether the function was added.</returns>
    /// <exception cref="SqlException">The name is taken and <paramref name="ignoreIfExists"/> is false.</exception>
    public bool CreateFunction(CatalogFunction function, bool temporary = false, bool ignoreIfExists = false, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        lock (_gate)
        {
            var layer = temporary ? _temporaryFunctions : _permanentFunctions;
            if (layer.ContainsKey(function.Name))
            {
                return ignoreIfExists ? false : throw new SqlException($"Function '{function.Name}' already exists.", position);
            }

            layer.Add(function.Name, function);
            if (!temporary)
            {
                SaveOrUndo(() => _permanentFunctions.Remove(function.Name));
            }

            return true;
        }
    }

    /// <summary>Removes a table (DROP [TEMPORARY] TABLE [IF EXISTS]).</summary>
    /// <returns>Whether a table was removed.</returns>
    /// <exception cref="SqlException">No such table and <paramref name="ignoreIfNotExists"/> is false, or the name is a view.</exception>
    public bool DropTable(string name, bool temporary = false, bool ignoreIfNotExists = false, SqlPosition? position = null) =>
        Drop<CatalogTable>(name, "table", temporary, ignoreIfNotExists, position);

    /// <summary>Removes a view (DROP [TEMPORARY] VIEW [IF EXISTS]).</summary>
    /// <returns>Whether a view was removed.</returns>
    /// <exception cref="SqlException">No such view and <paramref name="ignoreIfNotExists"/> is false, or the name is a table.</exception>
    public bool DropView(string name, bool temporary = false, bool ignoreIfNotExists = false, SqlPosition? position = null) =>
        Drop<CatalogView>(name, "view", temporary, ignoreIfNotExists, position);

    /// <summary>Removes a function (DROP [TEMPORARY] FUNCTION [IF EXISTS]).</summary>
    /// <returns>Whether a function was removed.</returns>
    /// <exception cref="SqlException">No such function and <paramref name="ignoreIfNotExists"/> is false.</exception>
    public bool DropFunction(string name, bool temporary = false, bool ignoreIfNotExists = false, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            var layer = temporary ? _temporaryFunctions : _permanentFunctions;
            if (!layer.Remove(name, out var removed))
            {
                return ignoreIfNotExists ? false
                    : throw new SqlException($"{(temporary ? "Temporary function" : "Function")} '{name}' does not exist.{NameSuggestions.DidYouMean(name, layer.Keys)}", position);
            }

            if (!temporary)
            {
                SaveOrUndo(() => _permanentFunctions.Add(removed.Name, removed));
            }

            return true;
        }
    }

    /// <summary>The table or view a name stands for (a temporary object first), or null.</summary>
    public object? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var simple = SimpleName(name);
        lock (_gate)
        {
            return _temporary.TryGetValue(simple, out var found) || _permanent.TryGetValue(simple, out found) ? found : null;
        }
    }

    /// <summary>The table named <paramref name="name"/>.</summary>
    /// <exception cref="SqlException">No table has that name (the message lists the closest names), or it is a view.</exception>
    public CatalogTable GetTable(string name, SqlPosition? position = null) => Find(name) switch
    {
        CatalogTable table => table,
        CatalogView => throw new SqlException($"'{name}' is a view, not a table.", position),
        _ => throw Unknown("Table", name, position),
    };

    /// <summary>The function named <paramref name="name"/> (case-insensitive; a temporary one first), or null.</summary>
    public CatalogFunction? FindFunction(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            return _temporaryFunctions.TryGetValue(name, out var f) || _permanentFunctions.TryGetValue(name, out f) ? f : null;
        }
    }

    /// <summary>The names of every table (and view, when <paramref name="views"/>), sorted (SHOW TABLES, SHOW VIEWS).</summary>
    public IReadOnlyList<string> Names(bool tables = true, bool views = false)
    {
        lock (_gate)
        {
            var names = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var layer in new[] { _permanent, _temporary })
            {
                foreach (var (name, value) in layer)
                {
                    if ((tables && value is CatalogTable) || (views && value is CatalogView))
                    {
                        names.Add(name);
                    }
                }
            }

            return [.. names];
        }
    }

    /// <summary>The names of every user-defined function, sorted (SHOW USER FUNCTIONS).</summary>
    public IReadOnlyList<string> FunctionNames()
    {
        lock (_gate)
        {
            return [.. _permanentFunctions.Keys.Concat(_temporaryFunctions.Keys).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase)];
        }
    }

    /// <summary>An error for a name that does not exist, naming the closest that do.</summary>
    public SqlException Unknown(string what, string name, SqlPosition? position = null)
    {
        IReadOnlyList<string> names;
        lock (_gate)
        {
            names = [.. _temporary.Keys.Concat(_permanent.Keys)];
        }

        return new SqlException($"{what} '{name}' does not exist.{NameSuggestions.DidYouMean(SimpleName(name), names)}", position);
    }

    private static string SimpleName(string name)
    {
        foreach (var prefix in (ReadOnlySpan<string>)[$"{DefaultCatalogName}.{DefaultDatabaseName}.", $"{DefaultDatabaseName}."])
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return name[prefix.Length..];
            }
        }

        return name;
    }

    private bool Create(string name, object value, string what, bool temporary, bool ignoreIfExists, SqlPosition? position)
    {
        if (name.Contains('.', StringComparison.Ordinal))
        {
            throw new SqlException($"The {what} name '{name}' is qualified; name it without a catalog or database (this catalog has one database, {DefaultCatalogName}.{DefaultDatabaseName}).", position);
        }

        lock (_gate)
        {
            var layer = temporary ? _temporary : _permanent;
            if (layer.TryGetValue(name, out var existing))
            {
                return ignoreIfExists ? false
                    : throw new SqlException($"{(existing is CatalogView ? "A view" : "A table")} named '{name}' already exists{(temporary ? " as a temporary object" : "")}; drop it first or use IF NOT EXISTS.", position);
            }

            layer.Add(name, value);
            if (!temporary)
            {
                SaveOrUndo(() => _permanent.Remove(name));
            }

            return true;
        }
    }

    private bool Drop<T>(string name, string what, bool temporary, bool ignoreIfNotExists, SqlPosition? position)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(name);
        var simple = SimpleName(name);
        lock (_gate)
        {
            var layer = temporary ? _temporary : _permanent;
            if (!layer.TryGetValue(simple, out var existing))
            {
                return ignoreIfNotExists ? false
                    : throw new SqlException($"{(temporary ? "Temporary " + what : char.ToUpperInvariant(what[0]) + what[1..])} '{name}' does not exist.{NameSuggestions.DidYouMean(simple, layer.Keys)}", position);
            }

            if (existing is not T)
            {
                throw new SqlException($"'{name}' is a {(existing is CatalogView ? "view" : "table")}: use DROP {(existing is CatalogView ? "VIEW" : "TABLE")}.", position);
            }

            layer.Remove(simple);
            if (!temporary)
            {
                SaveOrUndo(() => _permanent.Add(simple, existing));
            }

            return true;
        }
    }

    /// <summary>Writes the permanent objects; on failure runs <paramref name="undo"/> and rethrows. Called under the lock.</summary>
    private void SaveOrUndo(Action undo)
    {
        if (_file is null)
        {
            return;
        }

        try
        {
            var content = new CatalogFile.Content(
                [.. _permanent.Values.OfType<CatalogTable>().OrderBy(static t => t.Name, StringComparer.Ordinal)],
                [.. _permanent.Values.OfType<CatalogView>().OrderBy(static v => v.Name, StringComparer.Ordinal)],
                [.. _permanentFunctions.Values.OrderBy(static f => f.Name, StringComparer.OrdinalIgnoreCase)]);
            AtomicFile.Write(_file, CatalogFile.Encode(content));
        }
        catch
        {
            undo();
            throw;
        }
    }
}
