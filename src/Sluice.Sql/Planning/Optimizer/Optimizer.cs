namespace Sluice.Sql.Planning;

/// <summary>A rewrite of one plan node: returns an equivalent node (same output schema) or null when it does not apply.</summary>
internal abstract class PlanRule
{
    /// <summary>The rule's name, for tests and traces.</summary>
    public string Name => GetType().Name;

    /// <summary>Rewrites <paramref name="node"/> (whose inputs are already rewritten), or returns null.</summary>
    public abstract LogicalNode? Apply(LogicalNode node, PlannerSettings settings);
}

/// <summary>
/// The rule-based optimizer: applies its rules bottom-up over the plan, again and again until no rule changes it (a
/// fixpoint; bounded by <see cref="MaxPasses"/> so a pair of rules undoing each other cannot loop forever). Every rule
/// keeps a node's output schema, so the rewritten plan is a drop-in replacement. Thread-safe (rules hold no state).
/// </summary>
internal static class Optimizer
{
    /// <summary>The most passes over the plan before the optimizer stops with what it has.</summary>
    public const int MaxPasses = 64;

    /// <summary>The rules, in the order they are tried on each node.</summary>
    public static IReadOnlyList<PlanRule> DefaultRules { get; } =
    [
        new ConstantFoldingRule(),
        new RankRangeRule(),
        new FilterPushDownRule(),
        new JoinConditionPushDownRule(),
        new CalcMergeRule(),
        new WindowAggregateFusionRule(),
        new ProjectionPushDownRule(),
        new RemoveTrivialCalcRule(),
    ];

    /// <summary>Optimizes <paramref name="plan"/> with <paramref name="rules"/> (the default rules when null).</summary>
    /// <param name="plan">The bound plan.</param>
    /// <param name="settings">The planner settings (session for folding).</param>
    /// <param name="isRoot">Whether <paramref name="plan"/>'s field names are the statement's output (a root Calc that only renames is then kept).</param>
    /// <param name="rules">The rules to apply; null for <see cref="DefaultRules"/>.</param>
    /// <exception cref="SqlException">The optimized plan still holds a construct only a rewrite can make valid (a ROW_NUMBER without a filter on it).</exception>
    public static LogicalNode Optimize(LogicalNode plan, PlannerSettings settings, bool isRoot = true, IReadOnlyList<PlanRule>? rules = null)
    {
        rules ??= DefaultRules;
        for (var pass = 0; pass < MaxPasses; pass++)
        {
            var rewritten = Rewrite(plan, rules, settings);
            if (ReferenceEquals(rewritten, plan))
            {
                break;
            }

            plan = rewritten;
        }

        Validate(plan);
        return plan;
    }

    private static LogicalNode Rewrite(LogicalNode node, IReadOnlyList<PlanRule> rules, PlannerSettings settings)
    {
        var inputs = node.Inputs;
        LogicalNode[]? rewrittenInputs = null;
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = Rewrite(inputs[i], rules, settings);
            if (!ReferenceEquals(input, inputs[i]))
            {
                rewrittenInputs ??= [.. inputs];
                rewrittenInputs[i] = input;
            }
        }

        if (rewrittenInputs is not null)
        {
            node = node.WithInputs(rewrittenInputs);
        }

        foreach (var rule in rules)
        {
            if (rule.Apply(node, settings) is { } replaced)
            {
                return replaced;
            }
        }

        return node;
    }

    /// <summary>Checks what only a rewrite can fix was fixed: every Rank has a bounded range.</summary>
    private static void Validate(LogicalNode node)
    {
        if (node is RankNode { RankEnd: RankNode.Unbounded } rank)
        {
            throw new SqlException(
                $"OVER windows' ordering in stream mode must be defined on a time attribute: a {rank.Function switch { RankFunction.RowNumber => "ROW_NUMBER", RankFunction.Rank => "RANK", _ => "DENSE_RANK" }}() needs an outer filter on its result (WHERE {rank.RankFieldName} <= N) to become a Top-N.");
        }

        foreach (var input in node.Inputs)
        {
            Validate(input);
        }
    }
}
