using System.Text;
using Sluice.Schemas;
using Sluice.Sql.Expressions;

namespace Sluice.Sql.Planning;

/// <summary>How a <see cref="JoinNode"/> runs.</summary>
internal enum JoinStrategy : byte
{
    /// <summary>Both sides kept in state (a regular join; updating unless an inner join of insert-only inputs).</summary>
    Regular,

    /// <summary>An interval join: both sides insert-only, their time attributes bounded against each other (<see cref="IntervalBounds"/>); insert-only output.</summary>
    Interval,

    /// <summary>
    /// A lookup join (<c>JOIN dim FOR SYSTEM_TIME AS OF left.proctime</c>): each left row looks its keys up in the right
    /// table when it arrives; the right side is a <see cref="TableScanNode"/> (maybe under a Calc). Left's changelog passes through.
    /// </summary>
    Lookup,

    /// <summary>
    /// A window join: both inputs insert-only and windowed by the same event-time window, joined on
    /// <c>window_start</c> and <c>window_end</c> (<see cref="JoinNode.WindowBounds"/>); each window joined once when it
    /// closes, insert-only output.
    /// </summary>
    Window,
}

/// <summary>The <c>window_start</c> and <c>window_end</c> fields a window join matches, by index into each input.</summary>
internal sealed record WindowJoinBounds(int LeftStart, int LeftEnd, int RightStart, int RightEnd);

/// <summary>
/// The time bounds of an interval join: a left row and a right row match when
/// <c>right.time + LowerMillis &lt;= left.time &lt;= right.time + UpperMillis</c> (and the rest of the condition holds).
/// </summary>
/// <param name="LeftTimeField">The left time attribute, by index into the left input.</param>
/// <param name="RightTimeField">The right time attribute, by index into the right input.</param>
/// <param name="LowerMillis">The lower bound of <c>left.time - right.time</c>, inclusive.</param>
/// <param name="UpperMillis">The upper bound of <c>left.time - right.time</c>, inclusive.</param>
/// <param name="IsProcessingTime">Whether both are processing-time attributes (otherwise event time).</param>
internal sealed record IntervalBounds(int LeftTimeField, int RightTimeField, long LowerMillis, long UpperMillis, bool IsProcessingTime);

/// <summary>
/// A join of two inputs on <see cref="Condition"/> (over <see cref="JoinedSchema"/>, the left fields then the right
/// fields, right names made unique by a numeric suffix as Flink does: <c>id</c>, <c>id0</c>). Built from the kind and the
/// full condition; the node derives its <see cref="EquiKeys"/>, the <see cref="NonEquiCondition"/> left over, and, when
/// the condition bounds two time attributes of the same kind against each other and both inputs are insert-only, the
/// <see cref="Interval"/> that makes it an interval join. Output: <see cref="JoinedSchema"/>, or the left fields only
/// for semi and anti joins.
/// </summary>
internal sealed class JoinNode : LogicalNode
{
    private readonly ChangelogMode _changelog;
    private readonly LogicalNode? _updateProducer;

    /// <summary>Creates the node.</summary>
    /// <param name="left">The left input.</param>
    /// <param name="right">The right input.</param>
    /// <param name="kind">The join kind.</param>
    /// <param name="condition">The ON condition over the joined schema, or null for a cross join.</param>
    /// <param name="lookupTimeField">For a lookup join, the left processing-time attribute of FOR SYSTEM_TIME AS OF; -1 otherwise.</param>
    /// <exception cref="SqlException">A lookup join has a kind other than INNER or LEFT.</exception>
    public JoinNode(LogicalNode left, LogicalNode right, JoinKind kind, BoundExpression? condition, int lookupTimeField = -1)
        : this(left, right, kind, condition, lookupTimeField, Joined(left.Schema, right.Schema))
    {
    }

    private JoinNode(LogicalNode left, LogicalNode right, JoinKind kind, BoundExpression? condition, int lookupTimeField, Schema joined)
        : base(kind is JoinKind.Semi or JoinKind.Anti ? left.Schema : Padded(joined, left.Schema.Count, kind), Attributes(left, right, kind, condition, lookupTimeField))
    {
        Left = left;
        Right = right;
        Kind = kind;
        Condition = condition;
        JoinedSchema = joined;
        LookupTimeField = lookupTimeField;
        var (keys, rest, interval) = Analyze(left, right, condition, lookupTimeField < 0);
        EquiKeys = keys;
        NonEquiCondition = rest;
        Interval = kind is JoinKind.Semi or JoinKind.Anti ? null : interval;
        Strategy = lookupTimeField >= 0 ? JoinStrategy.Lookup : Interval is not null ? JoinStrategy.Interval : JoinStrategy.Regular;
        if (Strategy == JoinStrategy.Regular && WindowJoin(left, right, keys) is { } bounds)
        {
            Strategy = JoinStrategy.Window;
            WindowBounds = bounds;
        }

        if (Strategy == JoinStrategy.Lookup)
        {
            if (kind is not (JoinKind.Inner or JoinKind.Left))
            {
                throw new SqlException($"A lookup join (FOR SYSTEM_TIME AS OF) must be an INNER or LEFT join, not {kind.ToString().ToUpperInvariant()}.");
            }

            _changelog = left.Changelog;
            _updateProducer = left.UpdateProducer;
        }
        else if (Strategy is JoinStrategy.Interval or JoinStrategy.Window
            || (kind is JoinKind.Inner or JoinKind.Semi && left.Changelog == ChangelogMode.InsertOnly && right.Changelog == ChangelogMode.InsertOnly))
        {
            _changelog = ChangelogMode.InsertOnly;
        }
        else
        {
            _changelog = ChangelogMode.All;
            _updateProducer = left.UpdateProducer ?? right.UpdateProducer ?? this;
        }
    }

    /// <summary>The left input.</summary>
    public LogicalNode Left { get; }

    /// <summary>The right input.</summary>
    public LogicalNode Right { get; }

    /// <summary>The join kind.</summary>
    public JoinKind Kind { get; }

    /// <summary>The full join condition over <see cref="JoinedSchema"/>, or null.</summary>
    public BoundExpression? Condition { get; }

    /// <summary>The left fields then the right fields (right names made unique).</summary>
    public Schema JoinedSchema { get; }

    /// <summary>The equality conjuncts <c>left.a = right.b</c>: (left field, right field) pairs, the right field by index into the right input.</summary>
    public IReadOnlyList<(int Left, int Right)> EquiKeys { get; }

    /// <summary>The conjuncts of <see cref="Condition"/> besides the equi keys and the interval bounds, over <see cref="JoinedSchema"/>; null when none.</summary>
    public BoundExpression? NonEquiCondition { get; }

    /// <summary>The interval join's time bounds, or null.</summary>
    public IntervalBounds? Interval { get; }

    /// <summary>For a lookup join, the left processing-time field of FOR SYSTEM_TIME AS OF; -1 otherwise.</summary>
    public int LookupTimeField { get; }

    /// <summary>How the join runs.</summary>
    public JoinStrategy Strategy { get; }

    /// <summary>For a window join, the window fields of both sides (also among <see cref="EquiKeys"/>); null otherwise.</summary>
    public WindowJoinBounds? WindowBounds { get; }

    /// <inheritdoc />
    public override IReadOnlyList<LogicalNode> Inputs => [Left, Right];

    /// <inheritdoc />
    public override ChangelogMode Changelog => _changelog;

    /// <inheritdoc />
    public override LogicalNode? UpdateProducer => _updateProducer;

    /// <inheritdoc />
    public override string Name => Strategy switch
    {
        JoinStrategy.Interval => "IntervalJoin",
        JoinStrategy.Lookup => "LookupJoin",
        JoinStrategy.Window => "WindowJoin",
        _ => "Join",
    };

    /// <summary>The same join with another condition (over the same joined schema).</summary>
    public JoinNode WithCondition(BoundExpression? condition) => new(Left, Right, Kind, condition, LookupTimeField, JoinedSchema);

    /// <inheritdoc />
    public override string Describe()
    {
        var kind = Kind switch
        {
            JoinKind.Inner => "InnerJoin",
            JoinKind.Left => "LeftOuterJoin",
            JoinKind.Right => "RightOuterJoin",
            JoinKind.Full => "FullOuterJoin",
            JoinKind.Semi => "LeftSemiJoin",
            _ => "LeftAntiJoin",
        };
        var text = new StringBuilder(Name).Append("(joinType=[").Append(kind).Append(']');
        if (Interval is { } interval)
        {
            text.Append(", windowBounds=[isRowTime=").Append(interval.IsProcessingTime ? "false" : "true")
                .Append(", leftLowerBound=").Append(interval.LowerMillis).Append(", leftUpperBound=").Append(interval.UpperMillis)
                .Append(", leftTimeIndex=").Append(interval.LeftTimeField).Append(", rightTimeIndex=").Append(interval.RightTimeField).Append(']');
        }

        if (Strategy == JoinStrategy.Lookup && Right is { } right)
        {
            text.Append(", table=[").Append(LookupTable(right)).Append(']');
        }

        text.Append(", where=[").Append(Condition?.ToString() ?? "true").Append("], select=").Append(AllFields(Schema)).Append(')');
        return text.ToString();
    }

    /// <inheritdoc />
    public override LogicalNode WithInputs(IReadOnlyList<LogicalNode> inputs) => new JoinNode(inputs[0], inputs[1], Kind, Condition, LookupTimeField, JoinedSchema);

    /// <summary>The left schema then the right one, right names made unique with a numeric suffix.</summary>
    internal static Schema Joined(Schema left, Schema right)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var fields = new List<Field>(left.Count + right.Count);
        foreach (var field in left)
        {
            names.Add(field.Name);
            fields.Add(field);
        }

        foreach (var field in right)
        {
            var name = field.Name;
            for (var suffix = 0; !names.Add(name); suffix++)
            {
                name = field.Name + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            fields.Add(name == field.Name ? field : new Field(name, field.Type, field.Description));
        }

        return new Schema(fields);
    }

    /// <summary>
    /// The window bounds of a window join (Flink's pattern): both inputs insert-only, windowed by the same event-time
    /// window (kind, size, slide, offset), and the equi keys match left window_start to right window_start and left
    /// window_end to right window_end.
    /// </summary>
    private static WindowJoinBounds? WindowJoin(LogicalNode left, LogicalNode right, IReadOnlyList<(int Left, int Right)> keys)
    {
        if (left.Changelog != ChangelogMode.InsertOnly || right.Changelog != ChangelogMode.InsertOnly
            || WindowColumns.Find(left) is not { } l || WindowColumns.Find(right) is not { } r
            || l.Window.Kind != r.Window.Kind || l.Window.SizeMillis != r.Window.SizeMillis || l.Window.SlideMillis != r.Window.SlideMillis
            || l.Window.OffsetMillis != r.Window.OffsetMillis)
        {
            return null;
        }

        var (start, end) = (false, false);
        foreach (var key in keys)
        {
            start |= key.Left == l.Start && key.Right == r.Start;
            end |= key.Left == l.End && key.Right == r.End;
        }

        return start && end ? new WindowJoinBounds(l.Start, l.End, r.Start, r.End) : null;
    }

    private static string LookupTable(LogicalNode right) => right switch
    {
        TableScanNode scan => scan.Table.Name,
        CalcNode calc => LookupTable(calc.Input),
        _ => right.Name,
    };

    /// <summary>The joined schema with the fields an outer join may pad with nulls made nullable.</summary>
    private static Schema Padded(Schema joined, int leftCount, JoinKind kind)
    {
        if (kind is JoinKind.Inner)
        {
            return joined;
        }

        var fields = new Field[joined.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            var nullable = i < leftCount ? kind is JoinKind.Right or JoinKind.Full : kind is JoinKind.Left or JoinKind.Full;
            fields[i] = nullable ? new Field(joined[i].Name, joined[i].Type.Nullable(), joined[i].Description) : joined[i];
        }

        return new Schema(fields);
    }

    private static TimeAttributeKind[] Attributes(LogicalNode left, LogicalNode right, JoinKind kind, BoundExpression? condition, int lookupTimeField)
    {
        var semi = kind is JoinKind.Semi or JoinKind.Anti;
        var attributes = new TimeAttributeKind[left.Schema.Count + (semi ? 0 : right.Schema.Count)];
        var interval = lookupTimeField < 0 && !semi && Analyze(left, right, condition, true).Interval is not null;
        if (lookupTimeField >= 0 || interval || semi)
        {
            for (var i = 0; i < left.Schema.Count; i++)
            {
                attributes[i] = left.TimeAttributes[i];
            }
        }

        if (interval)
        {
            for (var i = 0; i < right.Schema.Count; i++)
            {
                attributes[left.Schema.Count + i] = right.TimeAttributes[i];
            }
        }

        return attributes;
    }

    private static (IReadOnlyList<(int, int)> Keys, BoundExpression? Others, IntervalBounds? Interval) Analyze(LogicalNode left, LogicalNode right, BoundExpression? condition, bool allowInterval)
    {
        var leftCount = left.Schema.Count;
        var keys = new List<(int, int)>();
        var others = new List<BoundExpression>();
        var bounds = new IntervalAnalysis(left, right);
        foreach (var conjunct in PlanExpressions.Conjuncts(condition))
        {
            if (conjunct is ComparisonExpression { Operator: ComparisonOperator.Equal, Left: InputReference a, Right: InputReference b })
            {
                if (a.Index < leftCount && b.Index >= leftCount)
                {
                    keys.Add((a.Index, b.Index - leftCount));
                    continue;
                }

                if (b.Index < leftCount && a.Index >= leftCount)
                {
                    keys.Add((b.Index, a.Index - leftCount));
                    continue;
                }
            }

            others.Add(conjunct);
        }

        IntervalBounds? interval = null;
        if (allowInterval && left.Changelog == ChangelogMode.InsertOnly && right.Changelog == ChangelogMode.InsertOnly)
        {
            var rest = new List<BoundExpression>();
            foreach (var conjunct in others)
            {
                if (!bounds.TryAdd(conjunct))
                {
                    rest.Add(conjunct);
                }
            }

            interval = bounds.Result();
            if (interval is not null)
            {
                others = rest;
            }
        }

        return (keys, PlanExpressions.And(others), interval);
    }
}
