using Sluice.Configuration;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Print;

/// <summary>
/// The 'print' connector: writes every row as a line in Flink's notation (<c>+I[1, Alice]</c>, see
/// <see cref="Row.ToString"/>) to standard output or standard error, prefixed as Flink does: <c>identifier&gt; </c>
/// with <c>print-identifier</c>, and the 1-based subtask (<c>identifier:2&gt; </c>, <c>2&gt; </c>) when the sink runs
/// in parallel. Thread-safe and stateless.
/// </summary>
/// <param name="standardOutput">Where lines go by default; null: <see cref="Console.Out"/> when the sink's writers are created.</param>
/// <param name="standardError">Where lines go with <c>standard-error = true</c>; null: <see cref="Console.Error"/>.</param>
public sealed class PrintConnectorFactory(TextWriter? standardOutput = null, TextWriter? standardError = null) : IConnectorFactory
{
    /// <summary>The identifier, as in Flink.</summary>
    public const string Name = "print";

    private static readonly ConfigOption[] s_options =
    [
        new("print-identifier", ConfigOptionType.String, "A prefix for every printed line, to tell several print tables apart."),
        new("standard-error", ConfigOptionType.Boolean, "Print to standard error instead of standard output.") { DefaultValue = "false" },
    ];

    /// <summary>Creates the factory printing to the console (what the registry uses).</summary>
    public PrintConnectorFactory() : this(null, null)
    {
    }

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Prints every row (+I[…], -U[…], +U[…], -D[…]) to standard output or standard error.";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Sink;

    /// <inheritdoc />
    /// <remarks>Every kind is printed with its kind (<c>-U[…]</c>).</remarks>
    public ChangelogMode GetSinkChangelogMode(ConnectorContext context) => ChangelogMode.All;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_options;

    /// <inheritdoc />
    public ISink<Row> CreateSink(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var toError = context.Options.GetBoolean("standard-error")!.Value;
        return new PrintRowSink(context.Options.GetString("print-identifier"), toError ? standardError : standardOutput, toError);
    }
}
