using Sluice.Sql.Syntax;

namespace Sluice.Sql.Tests.Syntax;

/// <summary>Short constructors for expected trees; positions are irrelevant to node equality.</summary>
internal static class Ast
{
    public static readonly SqlPosition P = SqlPosition.Start;

    public static SqlIdentifier Id(params string[] names) => new(SqlList<string>.Of(names), P);

    public static SqlNumberLiteral Int(string text) => new(text, SqlNumberKind.Integer, P);

    public static SqlStringLiteral Str(string value) => new(value, P);

    public static SqlBinaryExpression Bin(SqlBinaryOperator op, SqlExpression left, SqlExpression right) => new(op, left, right, P);

    public static SqlFunctionCall Call(string name, params SqlExpression[] arguments) =>
        new(Id(name), SqlList<SqlExpression>.Of(arguments), false, null, null, false, P);

    public static SqlList<T> List<T>(params T[] items) => SqlList<T>.Of(items);
}
