using Sluice.Schemas;

namespace Sluice.Quality;

/// <summary>
/// <c>stream.Expect(rules)</c>: data-quality expectations as an operator. The returned stream carries the records no
/// rule refused (and those only warned about); refused records go to the dead-letter side output
/// (<c>GetSideOutput(DeadLetters.Tag)</c>, <see cref="DeadLetterKind.Rule"/>) or are dropped, by each rule's action;
/// stream-level violations (freshness, volume) go to <c>GetSideOutput(QualityViolations.Tag)</c>. Per-rule counts are
/// the metrics of <see cref="QualityMetrics"/>. See docs/quality.md.
/// </summary>
public static class QualityStreamExtensions
{
    /// <summary>Checks each record of <paramref name="stream"/> against the rules <paramref name="rules"/> declares.</summary>
    /// <param name="stream">The records to check.</param>
    /// <param name="rules">Declares the rules on the builder it is given and returns it.</param>
    /// <param name="name">The operator's name (metrics, dead letters' source and operator); name it after the dataset, e.g. <c>orders</c>. Default <c>Expect</c>.</param>
    /// <exception cref="ArgumentException">No rules, two rules with one name, two unique rules, or an invalid rule.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in the stream type (DataStream<T> or DataStream<Row> with a Schema) and the builder type, so no call binds ambiguously; the name comes last and is optional.")]
    public static DataStream<T> Expect<T>(this DataStream<T> stream, Func<Expectations<T>, Expectations<T>> rules, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(rules);
        var declared = rules(new Expectations<T>()) ?? throw new ArgumentException("The rules callback returned null; return the builder it was given.", nameof(rules));
        return new Expectation<T>(declared.Rules, declared.Payload, declared.Origin).Apply(stream, name ?? "Expect");
    }

    /// <summary>
    /// Checks each row of <paramref name="stream"/>, rows of <paramref name="schema"/>, against the rules
    /// <paramref name="rules"/> declares by column name. A rule naming a missing column, or whose values do not fit its
    /// column's type, throws here, while the job is built.
    /// </summary>
    /// <param name="stream">The rows to check.</param>
    /// <param name="schema">The rows' schema.</param>
    /// <param name="rules">Declares the rules on the builder it is given and returns it.</param>
    /// <param name="name">The operator's name; see <see cref="Expect{T}(DataStream{T}, Func{Expectations{T}, Expectations{T}}, string?)"/>.</param>
    /// <exception cref="ArgumentException">A rule names a missing column or does not fit its type; no rules; two rules with one name.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in the stream type (DataStream<T> or DataStream<Row> with a Schema) and the builder type, so no call binds ambiguously; the name comes last and is optional.")]
    public static DataStream<Row> Expect(this DataStream<Row> stream, Schema schema, Func<RowExpectations, RowExpectations> rules, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(rules);
        var declared = rules(new RowExpectations(schema)) ?? throw new ArgumentException("The rules callback returned null; return the builder it was given.", nameof(rules));
        return new Expectation<Row>(declared.Rules, static row => row.ToString(), declared.Origin).Apply(stream, name ?? "Expect");
    }

    /// <summary>
    /// Checks each row of <paramref name="stream"/>, rows of <paramref name="schema"/>, against <paramref name="contract"/>:
    /// its fields must be columns of <paramref name="schema"/> with the same types (checked here, while the job is built),
    /// a row with a null in a field the contract declares <c>nullable: false</c> is dead-lettered by the contract's
    /// schema rule, and each contract rule runs with its action (see <see cref="DataContract.AddTo"/>).
    /// </summary>
    /// <param name="stream">The rows to check.</param>
    /// <param name="schema">The rows' schema.</param>
    /// <param name="contract">The data contract (<see cref="DataContract.Load"/>).</param>
    /// <param name="name">The operator's name; default the contract's <see cref="DataContract.Name"/>.</param>
    /// <exception cref="DataContractException">A contract field is missing from <paramref name="schema"/> or has another type, or a rule does not fit its column; the message names the file and line.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in the stream type (DataStream<T> or DataStream<Row> with a Schema) and the builder type, so no call binds ambiguously; the name comes last and is optional.")]
    public static DataStream<Row> Expect(this DataStream<Row> stream, Schema schema, DataContract contract, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(contract);
        return stream.Expect(schema, contract.AddTo, name ?? contract.Name);
    }
}
