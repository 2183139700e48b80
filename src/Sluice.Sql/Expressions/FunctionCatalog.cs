using System.Reflection;
using Sluice.Schemas;

namespace Sluice.Sql.Expressions;

/// <summary>
/// Scalar functions by name (case-insensitive): Flink's built-ins and the user's C# functions, with overload
/// resolution by argument types. Registration is not thread-safe; once a session stops registering, resolution is
/// (reads only). Each <see cref="CreateBuiltIn"/> catalog is independent, so a session's user functions stay its own.
/// </summary>
/// <remarks>
/// COALESCE, IF and NULLIF are not in the catalog: <see cref="BoundExpressions.Call"/> builds their nodes directly.
/// The function reference is docs/sql.md, "## Functions".
/// </remarks>
public sealed class FunctionCatalog
{
    private static readonly Lazy<FunctionOverload[]> s_builtIns = new(LoadBuiltIns);
    private readonly Dictionary<string, List<FunctionOverload>> _functions = new(StringComparer.OrdinalIgnoreCase);

    private FunctionCatalog()
    {
    }

    /// <summary>A catalog holding Flink's built-in scalar functions.</summary>
    internal static FunctionCatalog CreateBuiltIn()
    {
        var catalog = new FunctionCatalog();
        foreach (var overload in s_builtIns.Value)
        {
            catalog.Add(overload);
        }
        return catalog;
    }

    /// <summary>The names of the functions in the catalog.</summary>
    public IReadOnlyCollection<string> Names => _functions.Keys;

    /// <summary>The overloads of <paramref name="name"/>, or an empty list.</summary>
    internal IReadOnlyList<FunctionOverload> Overloads(string name) =>
        _functions.TryGetValue(name, out var list) ? list : [];

    /// <summary>
    /// Registers a user function in Flink's ScalarFunction shape: every public method named <c>Eval</c> of
    /// <paramref name="instance"/> (instance or static) is an overload of <paramref name="name"/>. The instance is shared
    /// by every compiled expression and thread that calls it, so it must be thread-safe (stateless is simplest).
    /// Parameter and result types come from the CLR types (as record properties map; a <c>[return: DataTypeHint("…")]</c>
    /// fixes DECIMAL or TIMESTAMP parameters of the result).
    /// </summary>
    /// <exception cref="ArgumentException">The class has no public Eval method, or the name is a built-in's.</exception>
    /// <exception cref="NotSupportedException">An Eval parameter or result has no SQL type; the message names it.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in the required second parameter (an instance, a Type or a MethodInfo; a Type binds to its own overload), so no call binds ambiguously; the optional determinism flag comes last.")]
    public void Register(string name, object instance, bool isDeterministic = true)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var methods = instance.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static);
        RegisterEvals(name, instance.GetType(), methods, instance, isDeterministic);
    }

    /// <summary>
    /// Registers the public static <c>Eval</c> methods of <paramref name="type"/> as overloads of <paramref name="name"/>
    /// (or, when it has none, an instance made with its public parameterless constructor, as <see cref="Register(string, object, bool)"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The type has no usable Eval method, or the name is a built-in's.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in the required second parameter (an instance, a Type or a MethodInfo; a Type binds to its own overload), so no call binds ambiguously; the optional determinism flag comes last.")]
    public void Register(string name, Type type, bool isDeterministic = true)
    {
        ArgumentNullException.ThrowIfNull(type);
        var statics = type.GetMethods(BindingFlags.Public | BindingFlags.Static);
        if (Array.Exists(statics, m => m.Name == "Eval"))
        {
            RegisterEvals(name, type, statics, null, isDeterministic);
            return;
        }
        if (type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new ArgumentException($"Function class {type.Name} has no public static Eval method and no public parameterless constructor; add one of them.", nameof(type));
        }
        Register(name, Activator.CreateInstance(type)!, isDeterministic);
    }

    /// <summary>Registers one public static method as an overload of <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The method is not static, or the name is a built-in's.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in the required second parameter (an instance, a Type or a MethodInfo; a Type binds to its own overload), so no call binds ambiguously; the optional determinism flag comes last.")]
    public void Register(string name, MethodInfo method, bool isDeterministic = true)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (!method.IsStatic || !method.IsPublic)
        {
            throw new ArgumentException($"Method {method.Name} must be public and static to be registered without an instance.", nameof(method));
        }
        CheckUserName(name);
        Add(new FunctionOverload(name.ToUpperInvariant(), method, null, isDeterministic, null, null));
    }

    /// <summary>
    /// The overload of <paramref name="name"/> that takes <paramref name="argumentTypes"/> (null for a bare NULL) with the
    /// fewest widening conversions; on a tie, the first registered.
    /// </summary>
    /// <exception cref="SqlException">No function has that name (the message lists the closest names), or no overload
    /// takes these types (the message names them and lists the signatures).</exception>
    internal FunctionOverload Resolve(string name, IReadOnlyList<DataType?> argumentTypes, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(argumentTypes);
        if (!_functions.TryGetValue(name, out var overloads))
        {
            throw new SqlException($"No function named '{name}'.{NameSuggestions.DidYouMean(name.ToUpperInvariant(), _functions.Keys, orNearest: true)}", position);
        }
        FunctionOverload? best = null;
        var bestCost = int.MaxValue;
        foreach (var overload in overloads)
        {
            var cost = overload.Cost(argumentTypes);
            if (cost >= 0 && cost < bestCost)
            {
                best = overload;
                bestCost = cost;
            }
        }
        if (best is null)
        {
            var types = new string[argumentTypes.Count];
            for (var i = 0; i < types.Length; i++)
            {
                types[i] = argumentTypes[i]?.ToString() ?? "NULL";
            }
            var signatures = new string[overloads.Count];
            for (var i = 0; i < signatures.Length; i++)
            {
                signatures[i] = overloads[i].Signature;
            }
            throw new SqlException(
                $"{name.ToUpperInvariant()} cannot be called with ({string.Join(", ", types)}); its signatures are {string.Join("; ", signatures)}.", position);
        }
        return best;
    }

    private void RegisterEvals(string name, Type type, MethodInfo[] methods, object? instance, bool isDeterministic)
    {
        CheckUserName(name);
        var found = false;
        foreach (var method in methods)
        {
            if (method.Name != "Eval" || method.DeclaringType == typeof(object))
            {
                continue;
            }
            Add(new FunctionOverload(name.ToUpperInvariant(), method, method.IsStatic ? null : instance, isDeterministic, null, null));
            found = true;
        }
        if (!found)
        {
            throw new ArgumentException($"Function class {type.Name} has no public Eval method; a scalar function implements Eval(…) as Flink's ScalarFunction does.", nameof(type));
        }
    }

    private void CheckUserName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (var builtIn in s_builtIns.Value)
        {
            if (string.Equals(builtIn.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"'{name}' is a built-in function; register the user function under another name.", nameof(name));
            }
        }
    }

    private void Add(FunctionOverload overload)
    {
        if (!_functions.TryGetValue(overload.Name, out var list))
        {
            list = [];
            _functions.Add(overload.Name, list);
        }
        list.Add(overload);
    }

    private static FunctionOverload[] LoadBuiltIns()
    {
        var overloads = new List<FunctionOverload>();
        foreach (var type in new[] { typeof(StringFunctions), typeof(MathFunctions), typeof(TemporalFunctions), typeof(JsonFunctions) })
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            {
                if (method.GetCustomAttribute<SqlFunctionAttribute>() is not { } attribute)
                {
                    continue;
                }
                Func<IReadOnlyList<DataType>, DataType>? resultType = null;
                if (attribute.ResultType is { } resultMethod)
                {
                    resultType = type.GetMethod(resultMethod, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!
                        .CreateDelegate<Func<IReadOnlyList<DataType>, DataType>>();
                }
                var fixedResult = attribute.Returns is { } text ? DataType.Parse(text) : null;
                foreach (var name in attribute.Names)
                {
                    overloads.Add(new FunctionOverload(name, method, null, attribute.Deterministic, resultType, fixedResult));
                }
            }
        }
        return [.. overloads];
    }
}
