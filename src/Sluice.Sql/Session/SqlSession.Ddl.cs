using System.Reflection;
using Sluice.Sql.Catalog;
using Sluice.Sql.Connectors;
using Sluice.Sql.Expressions;
using Sluice.Sql.Planning;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Session;

// CREATE and DROP: the statements that change the catalog.
public sealed partial class SqlSession
{
    private SqlStatementResult CreateTable(SqlCreateTable create)
    {
        _ = Name(create.Name); // a qualified name fails here, naming it

        // The table's shape (computed columns and WATERMARK bound) first, then its connector: a misspelt option fails
        // now rather than at the first query.
        var table = TableBinder.ToCatalogTable(create, Functions);
        TableConnectors.Validate(Connectors, table, create.Position);
        var created = Catalog.CreateTable(table, create.Temporary, create.IfNotExists, create.Position);
        return Message(create, created ? $"{(create.Temporary ? "Temporary table" : "Table")} '{table.Name}' was created." : $"Table '{table.Name}' already exists; nothing was changed.");
    }

    private SqlStatementResult CreateView(SqlCreateView create)
    {
        _ = Name(create.Name);
        var view = TableBinder.ToCatalogView(create);
        var created = Catalog.CreateView(view, create.Temporary, create.IfNotExists, create.Position);
        return Message(create, created ? $"{(create.Temporary ? "Temporary view" : "View")} '{view.Name}' was created." : $"View '{view.Name}' already exists; nothing was changed.");
    }

    private SqlStatementResult CreateFunction(SqlCreateFunction create)
    {
        var name = Name(create.Name);
        if (create.Language is { } language && language != "CSHARP")
        {
            throw new SqlException($"Function '{name}' is LANGUAGE {language}; Sluice runs C# functions only (LANGUAGE CSHARP, or no LANGUAGE).", create.Position);
        }

        var temporary = create.Temporary || create.System;
        if (create.IfNotExists && Catalog.FindFunction(name) is not null)
        {
            return Message(create, $"Function '{name}' already exists; nothing was changed.");
        }

        // Load and register the class in a scratch catalog first, so a bad class changes nothing.
        var type = ResolveFunctionType(name, create.ClassName, create.Position);
        RegisterType(FunctionCatalog.CreateBuiltIn(), name, type, create.Position);
        Catalog.CreateFunction(new CatalogFunction(name, create.ClassName), temporary, create.IfNotExists, create.Position);
        Functions = BuildFunctions(null);
        return Message(create, $"{(temporary ? "Temporary function" : "Function")} '{name}' was created.");
    }

    private SqlStatementResult Drop(SqlDrop drop)
    {
        var name = Name(drop.Name);
        var dropped = drop.Kind switch
        {
            SqlObjectKind.Table => Catalog.DropTable(name, drop.Temporary, drop.IfExists, drop.Position),
            SqlObjectKind.View => Catalog.DropView(name, drop.Temporary, drop.IfExists, drop.Position),
            _ => Catalog.DropFunction(name, drop.Temporary, drop.IfExists, drop.Position),
        };
        if (drop.Kind == SqlObjectKind.Function && dropped)
        {
            Functions = BuildFunctions(null);
        }

        var what = drop.Kind switch { SqlObjectKind.Table => "Table", SqlObjectKind.View => "View", _ => "Function" };
        return Message(drop, dropped ? $"{(drop.Temporary ? "Temporary " + what.ToLowerInvariant() : what)} '{name}' was dropped." : $"{what} '{name}' does not exist; nothing was changed.");
    }

    /// <summary>
    /// The built-ins, then the functions registered in code, then the catalog's (a temporary function before a
    /// permanent one of the same name). A catalog function that no longer loads is left out, with a warning when
    /// <paramref name="warnings"/> is given.
    /// </summary>
    private FunctionCatalog BuildFunctions(List<string>? warnings)
    {
        var functions = FunctionCatalog.CreateBuiltIn();
        foreach (var register in _registrations)
        {
            register(functions);
        }

        foreach (var name in Catalog.FunctionNames())
        {
            if (Catalog.FindFunction(name) is not { } function)
            {
                continue;
            }

            try
            {
                RegisterType(functions, function.Name, ResolveFunctionType(function.Name, function.ClassName, null), null);
            }
            catch (SqlException e)
            {
                warnings?.Add(e.Message);
            }
        }

        return functions;
    }

    /// <summary>
    /// The type named <paramref name="className"/>: an assembly-qualified name, or a full name found in an assembly
    /// loaded in this process.
    /// </summary>
    private static Type ResolveFunctionType(string function, string className, SqlPosition? position)
    {
        var type = Type.GetType(className, throwOnError: false);
        if (type is null)
        {
            foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
            {
                if (!assembly.IsDynamic && assembly.GetType(className, throwOnError: false) is { } found)
                {
                    type = found;
                    break;
                }
            }
        }

        return type ?? throw new SqlException(
            $"Function '{function}' names class '{className}', which no loaded assembly has; give the full name (Namespace.Type) or an assembly-qualified name, and load its assembly.",
            position);
    }

    private static void RegisterType(FunctionCatalog functions, string name, Type type, SqlPosition? position)
    {
        try
        {
            functions.Register(name, type);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or MissingMethodException or TargetInvocationException)
        {
            throw new SqlException($"Function '{name}' (class '{type.FullName}') cannot be registered: {(e is TargetInvocationException { InnerException: { } inner } ? inner.Message : e.Message)}", position, e);
        }
    }

    private static string Name(SqlIdentifier identifier) => string.Join('.', identifier.Names);

    private static SqlMessageResult Message(SqlStatement statement, string message) => new(statement, message);
}
