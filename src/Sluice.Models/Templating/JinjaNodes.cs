namespace Sluice.Models.Templating;

/// <summary>A statement of a parsed template; <see cref="Offset"/> points at its tag for error messages.</summary>
internal abstract record JinjaNode(int Offset);

internal sealed record TextNode(int Offset, string Text) : JinjaNode(Offset);

internal sealed record OutputNode(int Offset, JinjaExpr Value) : JinjaNode(Offset);

internal sealed record IfNode(int Offset, IReadOnlyList<(JinjaExpr Test, IReadOnlyList<JinjaNode> Body)> Branches, IReadOnlyList<JinjaNode>? Else) : JinjaNode(Offset);

internal sealed record ForNode(int Offset, IReadOnlyList<string> Targets, JinjaExpr Iterable, JinjaExpr? Filter, IReadOnlyList<JinjaNode> Body, IReadOnlyList<JinjaNode>? Else) : JinjaNode(Offset);

internal sealed record SetNode(int Offset, IReadOnlyList<string> Targets, JinjaExpr Value) : JinjaNode(Offset);

internal sealed record SetBlockNode(int Offset, string Target, IReadOnlyList<JinjaNode> Body) : JinjaNode(Offset);

internal sealed record MacroNode(int Offset, string Name, IReadOnlyList<(string Name, JinjaExpr? Default)> Parameters, IReadOnlyList<JinjaNode> Body) : JinjaNode(Offset);

internal sealed record CallBlockNode(int Offset, CallExpr Call, IReadOnlyList<JinjaNode> Body) : JinjaNode(Offset);

internal sealed record DoNode(int Offset, JinjaExpr Value) : JinjaNode(Offset);

/// <summary>An expression; <see cref="Offset"/> points at its first token.</summary>
internal abstract record JinjaExpr(int Offset);

internal sealed record ConstExpr(int Offset, object? Value) : JinjaExpr(Offset);

internal sealed record NameExpr(int Offset, string Name) : JinjaExpr(Offset);

internal sealed record ListExpr(int Offset, IReadOnlyList<JinjaExpr> Items, bool IsTuple) : JinjaExpr(Offset);

internal sealed record DictExpr(int Offset, IReadOnlyList<(JinjaExpr Key, JinjaExpr Value)> Items) : JinjaExpr(Offset);

internal sealed record AttributeExpr(int Offset, JinjaExpr Target, string Name) : JinjaExpr(Offset);

internal sealed record ItemExpr(int Offset, JinjaExpr Target, JinjaExpr Index) : JinjaExpr(Offset);

internal sealed record CallExpr(int Offset, JinjaExpr Function, IReadOnlyList<JinjaExpr> Arguments, IReadOnlyList<(string Name, JinjaExpr Value)> Keywords) : JinjaExpr(Offset);

internal sealed record FilterExpr(int Offset, JinjaExpr Target, string Name, IReadOnlyList<JinjaExpr> Arguments, IReadOnlyList<(string Name, JinjaExpr Value)> Keywords) : JinjaExpr(Offset);

internal sealed record TestExpr(int Offset, JinjaExpr Target, string Name, IReadOnlyList<JinjaExpr> Arguments, bool Negated) : JinjaExpr(Offset);

internal sealed record UnaryExpr(int Offset, string Operator, JinjaExpr Operand) : JinjaExpr(Offset);

internal sealed record BinaryExpr(int Offset, string Operator, JinjaExpr Left, JinjaExpr Right) : JinjaExpr(Offset);

internal sealed record ConditionalExpr(int Offset, JinjaExpr Test, JinjaExpr Then, JinjaExpr? Else) : JinjaExpr(Offset);
