using Sluice.Configuration;
using Sluice.Schemas;

namespace Sluice.Formats;

/// <summary>
/// A serialization format for rows — <c>json</c>, <c>csv</c> or <c>raw</c> — with Flink's identifier and option keys.
/// Given a <see cref="Schema"/> and an options dictionary it makes a <see cref="IRowDeserializer"/> and a
/// <see cref="IRowSerializer"/>, which every connector (embedded log, Kafka, files) uses. Stateless and thread-safe;
/// the instances live on <see cref="RowFormats"/>.
/// </summary>
/// <remarks>
/// Options are validated eagerly: an unknown key, a value the option does not accept, or a schema the format cannot
/// encode throws <see cref="ConfigOptionsException"/> naming the option (or field), the value and what is valid. Keys are
/// the format's own (<c>json.ignore-parse-errors</c>); a connector strips its own prefixes (<c>key.</c>, <c>value.</c>)
/// before passing them.
/// </remarks>
public abstract class RowFormat
{
    /// <summary>For formats in other assemblies (the registry formats); the built-in ones are on <see cref="RowFormats"/>.</summary>
    protected RowFormat()
    {
    }

    /// <summary>The format's identifier, as in <c>'format' = 'json'</c>.</summary>
    public abstract string Identifier { get; }

    /// <summary>Every option the format accepts, with its type, default and allowed values.</summary>
    public abstract IReadOnlyList<ConfigOption> Options { get; }

    /// <summary>Checks <paramref name="options"/> without creating anything.</summary>
    /// <exception cref="ConfigOptionsException">An option is unknown or has an invalid value.</exception>
    public void Validate(IReadOnlyDictionary<string, string>? options) => _ = Read(options);

    /// <summary>Creates the deserializer of rows of <paramref name="schema"/>.</summary>
    /// <param name="schema">The rows' schema.</param>
    /// <param name="options">The format's options (keys as in <see cref="Options"/>); null or empty for the defaults.</param>
    /// <exception cref="ConfigOptionsException">An option is invalid, or the schema has a type the format cannot decode.</exception>
    public IRowDeserializer CreateDeserializer(Schema schema, IReadOnlyDictionary<string, string>? options = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return CreateDeserializerCore(schema, Read(options));
    }

    /// <summary>Creates the serializer of rows of <paramref name="schema"/>.</summary>
    /// <param name="schema">The rows' schema.</param>
    /// <param name="options">The format's options (keys as in <see cref="Options"/>); null or empty for the defaults.</param>
    /// <exception cref="ConfigOptionsException">An option is invalid, or the schema has a type the format cannot encode.</exception>
    public IRowSerializer CreateSerializer(Schema schema, IReadOnlyDictionary<string, string>? options = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return CreateSerializerCore(schema, Read(options));
    }

    /// <summary>Creates the deserializer once the options were checked.</summary>
    /// <param name="schema">The rows' schema.</param>
    /// <param name="options">The checked options.</param>
    /// <exception cref="ConfigOptionsException">The schema has a type the format cannot decode.</exception>
    protected abstract IRowDeserializer CreateDeserializerCore(Schema schema, ConfigOptions options);

    /// <summary>Creates the serializer once the options were checked.</summary>
    /// <param name="schema">The rows' schema.</param>
    /// <param name="options">The checked options.</param>
    /// <exception cref="ConfigOptionsException">The schema has a type the format cannot encode.</exception>
    protected abstract IRowSerializer CreateSerializerCore(Schema schema, ConfigOptions options);

    /// <summary>Checks combinations of options, after each option was checked on its own; throws <see cref="ConfigOptionsException"/>.</summary>
    /// <param name="options">The checked options.</param>
    protected virtual void ValidateCombination(ConfigOptions options)
    {
    }

    private static readonly Dictionary<string, string> s_none = [];

    private ConfigOptions Read(IReadOnlyDictionary<string, string>? options)
    {
        var reader = ConfigOptions.Validate(OptionOwnerKind.Format, Identifier, Options, options ?? s_none);
        ValidateCombination(reader);
        return reader;
    }
}
