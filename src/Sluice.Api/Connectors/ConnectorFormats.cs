using Sluice.Configuration;
using Sluice.Formats;
using Sluice.Schemas;

namespace Sluice.Connectors;

/// <summary>
/// The row-format options connectors share (<c>format</c>, <c>value.format</c>, <c>key.format</c> and the formats' own
/// <c>json.*</c>, <c>csv.*</c>, <c>raw.*</c>, … keys, optionally behind a prefix such as <c>value.</c>) and their
/// resolution into serializers of <see cref="Sluice.Formats"/>. The formats are those <see cref="RowFormats"/> knows
/// (the built-in ones and those of loaded format assemblies, such as avro-confluent); a connector builds its option
/// list with <see cref="FormatAwareOptions"/> so formats registered later are accepted too. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// A format key of another format than the chosen one, an unknown format key or a bad format value is a
/// <see cref="ConfigOptionsException"/> of one sentence: the format's own validation names the key, the value and
/// what is valid (for an unknown key, every key of the format).
/// </remarks>
public static class ConnectorFormats
{
    /// <summary>The identifiers of the row formats connectors accept: json, csv, raw and the registered ones (<see cref="RowFormats.Identifiers"/>).</summary>
    public static IReadOnlyList<string> Identifiers => RowFormats.Identifiers;

    /// <summary>A choice among the row formats known now (<see cref="Identifiers"/>) under <paramref name="key"/>.</summary>
    /// <param name="key">The option key (<c>format</c>, <c>value.format</c>, <c>key.format</c>).</param>
    /// <param name="description">What the format encodes.</param>
    /// <param name="required">Whether the option must be given.</param>
    public static ConfigOption FormatOption(string key, string description, bool required = false) =>
        new(key, ConfigOptionType.Enum, description) { AllowedValues = Identifiers, IsRequired = required };

    /// <summary>
    /// The pattern keys of the formats' own options behind <paramref name="prefix"/>, one per format known now:
    /// <c>{prefix}json.#</c>, <c>{prefix}csv.#</c>, <c>{prefix}raw.#</c>, …; their values are checked by the chosen format.
    /// </summary>
    /// <param name="prefix">"" or a prefix ending in a dot (<c>value.</c>, <c>key.</c>).</param>
    /// <param name="identifiers">The formats the connector accepts; null for every format known now (<see cref="Identifiers"/>).</param>
    public static IReadOnlyList<ConfigOption> FormatKeyPatterns(string prefix, IReadOnlyList<string>? identifiers = null)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        identifiers ??= Identifiers;
        var patterns = new ConfigOption[identifiers.Count];
        for (var i = 0; i < patterns.Length; i++)
        {
            var id = identifiers[i];
            patterns[i] = new ConfigOption($"{prefix}{id}.#", ConfigOptionType.String,
                $"An option of the {id} format ({id}.…, see docs/formats.md), checked by the format when '{prefix}format' is '{id}'.");
        }
        return patterns;
    }

    /// <summary>
    /// The row format named by option <paramref name="formatKey"/> and its options: every given key
    /// <c>{prefix}{format}.…</c> with <paramref name="prefix"/> removed, checked by the format.
    /// </summary>
    /// <param name="options">The connector's validated options.</param>
    /// <param name="formatKey">The option naming the format; absent means null is returned.</param>
    /// <param name="prefix">The prefix of the format keys ("" or <c>value.</c>, <c>key.</c>).</param>
    /// <exception cref="ConfigOptionsException">A format key belongs to another format, or the format rejects a key or value.</exception>
    public static (RowFormat Format, IReadOnlyDictionary<string, string> Options)? Resolve(ConfigOptions options, string formatKey, string prefix)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.GetChoice(formatKey) is not { } identifier)
        {
            return null;
        }
        var format = RowFormats.Get(identifier);
        var identifiers = Identifiers;
        var own = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in options.Given)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || key == formatKey)
            {
                continue;
            }
            var bare = key[prefix.Length..];
            var dot = bare.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || !identifiers.Contains(bare[..dot]))
            {
                continue;
            }
            if (!string.Equals(bare[..dot], format.Identifier, StringComparison.Ordinal))
            {
                throw options.Invalid(key, $"is an option of the {bare[..dot]} format, but '{formatKey}' is '{format.Identifier}'; give it only with that format, so remove it");
            }
            own[bare] = value;
        }
        DefaultSubject(options, format, prefix, own);
        try
        {
            format.Validate(own);
        }
        catch (ConfigOptionsException e)
        {
            throw new ConfigOptionsException(e.Message, options.Owner, e.Key is null ? formatKey : prefix + e.Key);
        }
        return (format, own);
    }

    /// <summary>
    /// A format with a <c>{format}.subject</c> option (the registry formats) gets Flink's default subject when the
    /// connector names one topic: <c>{topic}-value</c> for the value, <c>{topic}-key</c> behind <c>key.</c>.
    /// </summary>
    private static void DefaultSubject(ConfigOptions options, RowFormat format, string prefix, Dictionary<string, string> own)
    {
        var subject = format.Identifier + ".subject";
        if (own.ContainsKey(subject) || !options.Given.TryGetValue("topic", out var topic) || topic.Contains(';', StringComparison.Ordinal))
        {
            return;
        }
        foreach (var option in format.Options)
        {
            if (option.Key == subject)
            {
                own[subject] = topic.Trim() + (prefix == "key." ? "-key" : "-value");
                return;
            }
        }
    }

    /// <summary>
    /// The value format of a message connector (kafka, sluice-log): <c>value.format</c> with <c>value.*</c> keys, or
    /// <c>format</c> with unprefixed keys; exactly one of them must be given.
    /// </summary>
    /// <exception cref="ConfigOptionsException">Both or neither are given, or the format rejects a key or value.</exception>
    public static (RowFormat Format, IReadOnlyDictionary<string, string> Options) ResolveValueFormat(ConfigOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Contains("format") && options.Contains("value.format"))
        {
            throw options.Invalid("value.format", "cannot be given with option 'format' (they name the same thing)");
        }
        return Resolve(options, "value.format", "value.")
            ?? Resolve(options, "format", "")
            ?? throw new ConfigOptionsException($"Connector '{options.Owner}' needs option 'format' or 'value.format' (the row format of the message value: {OrList(Identifiers)}).", options.Owner, "format");
    }

    /// <summary>
    /// The serializer of a message connector's rows: the value in the value format (<see cref="ResolveValueFormat"/>)
    /// and, when <c>key.format</c> and <c>key.fields</c> are given, the message key made of those columns in that format.
    /// </summary>
    /// <exception cref="ConfigOptionsException">Only one of key.format and key.fields is given, a key field is not a column, or a format rejects the schema.</exception>
    public static IMessageSerializer<Row> CreateMessageSerializer(Schema schema, ConfigOptions options)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(options);
        var value = CreateSerializer(ResolveValueFormat(options), schema, options.Owner);
        var keyFormat = Resolve(options, "key.format", "key.");
        var keyFields = options.GetString("key.fields");
        if (keyFormat is null != keyFields is null)
        {
            throw keyFormat is null
                ? options.Invalid("key.fields", "needs option 'key.format' (the format of the message key)")
                : options.Invalid("key.format", "needs option 'key.fields' (the columns of the message key, separated by ';')");
        }
        if (keyFormat is not { } key)
        {
            return MessageSerializers.Rows(value);
        }
        return MessageSerializers.Rows(value, CreateSerializer(key, ColumnsOf(schema, options, "key.fields"), options.Owner));
    }

    /// <summary>
    /// A transactional sink's <c>sink.delivery-guarantee</c> (whether it is 'exactly-once') and its
    /// <c>sink.transactional-id-prefix</c> as given (null when absent), as the kafka and sluice-log connectors read them.
    /// </summary>
    /// <exception cref="ConfigOptionsException">Exactly-once without a prefix.</exception>
    public static (bool ExactlyOnce, string? TransactionalIdPrefix) DeliveryGuarantee(ConfigOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var exactlyOnce = options.GetChoice("sink.delivery-guarantee") == "exactly-once";
        var prefix = options.GetString("sink.transactional-id-prefix");
        if (exactlyOnce && string.IsNullOrWhiteSpace(prefix))
        {
            throw new ConfigOptionsException(
                $"Connector '{options.Owner}' needs option 'sink.transactional-id-prefix' with 'sink.delivery-guarantee' = 'exactly-once' (a prefix that stays the same across restarts).", options.Owner, "sink.transactional-id-prefix");
        }
        return (exactlyOnce, prefix);
    }

    /// <summary>The columns named by option <paramref name="key"/> (separated by ';'), in that order, as a schema.</summary>
    /// <exception cref="ConfigOptionsException">A name is not a column of <paramref name="schema"/>, or none is given.</exception>
    public static Schema ColumnsOf(Schema schema, ConfigOptions options, string key)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(options);
        var names = options.GetString(key)!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0)
        {
            throw options.Invalid(key, "must name at least one column, separated by ';'");
        }
        var fields = new Field[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            var index = schema.IndexOf(names[i]);
            if (index < 0)
            {
                throw options.Invalid(key, $"must name columns of the table ({string.Join(", ", schema.Select(static f => f.Name))}), but '{names[i]}' is not one");
            }
            fields[i] = schema[index];
        }
        return new Schema(fields);
    }

    /// <summary>Creates the serializer of <paramref name="schema"/>'s rows in the format resolved by <see cref="Resolve"/>.</summary>
    /// <exception cref="ConfigOptionsException">The format cannot encode a column of the schema.</exception>
    public static IRowSerializer CreateSerializer((RowFormat Format, IReadOnlyDictionary<string, string> Options) format, Schema schema, string connector) =>
        Wrap(() => format.Format.CreateSerializer(schema, format.Options), connector);

    /// <summary>Creates the deserializer of <paramref name="schema"/>'s rows in the format resolved by <see cref="Resolve"/>.</summary>
    /// <exception cref="ConfigOptionsException">The format cannot decode a column of the schema.</exception>
    public static IRowDeserializer CreateDeserializer((RowFormat Format, IReadOnlyDictionary<string, string> Options) format, Schema schema, string connector) =>
        Wrap(() => format.Format.CreateDeserializer(schema, format.Options), connector);

    /// <summary>"json, csv or raw": the identifiers for a sentence.</summary>
    private static string OrList(IReadOnlyList<string> identifiers) =>
        identifiers.Count < 2 ? string.Join("", identifiers) : $"{string.Join(", ", identifiers.Take(identifiers.Count - 1))} or {identifiers[^1]}";

    private static TResult Wrap<TResult>(Func<TResult> create, string connector)
    {
        try
        {
            return create();
        }
        catch (ConfigOptionsException e)
        {
            throw new ConfigOptionsException(e.Message, connector, e.Key);
        }
    }
}
