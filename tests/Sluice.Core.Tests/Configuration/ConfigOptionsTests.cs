using System.Globalization;
using CsCheck;
using Sluice.Configuration;

namespace Sluice.Core.Tests.Configuration;

/// <summary>Validation of connector and format options: every error is one sentence naming the option, the value and what is valid.</summary>
public sealed class ConfigOptionsTests
{
    private static readonly ConfigOption[] s_spec =
    [
        ConfigOption.Required("topic", ConfigOptionType.String, "The topic to read."),
        new("rate", ConfigOptionType.Int, "Rows per second.") { DefaultValue = "100", Minimum = 1, Maximum = 1000 },
        new("count", ConfigOptionType.Long, "Rows in all.") { Minimum = 0 },
        new("ratio", ConfigOptionType.Double, "A fraction.") { DefaultValue = "0.5", Minimum = 0, Maximum = 1 },
        new("verbose", ConfigOptionType.Boolean, "Say more.") { DefaultValue = "false" },
        new("interval", ConfigOptionType.Duration, "How often.") { DefaultValue = "10 s" },
        new("delimiter", ConfigOptionType.Character, "Between fields.") { DefaultValue = "," },
        ConfigOption.Choice("mode", "How to start.", "earliest", "earliest", "latest"),
        ConfigOption.Choice("fields.#.kind", "Per column.", "random", "random", "sequence"),
    ];

    private static ConfigOptions Validate(params (string Key, string Value)[] values) =>
        ConfigOptions.Validate(OptionOwnerKind.Connector, "test", s_spec, values.ToDictionary(v => v.Key, v => v.Value));

    [Fact]
    public void Validate_UnknownKey_ListsTheValidKeysInOneSentence()
    {
        var error = Should.Throw<ConfigOptionsException>(() => Validate(("topic", "t"), ("rte", "5")));

        error.Message.ShouldBe("Connector 'test' has no option 'rte'; its options are: count, delimiter, fields.#.kind, interval, mode, rate, ratio, topic, verbose.");
        error.Key.ShouldBe("rte");
        error.Owner.ShouldBe("test");
    }

    [Fact]
    public void Validate_KeyInAnotherCase_IsUnknown()
    {
        var error = Should.Throw<ConfigOptionsException>(() => Validate(("topic", "t"), ("Rate", "5")));

        error.Key.ShouldBe("Rate");
    }

    [Fact]
    public void Validate_ConnectorWithoutOptions_SaysItTakesNone()
    {
        var error = Should.Throw<ConfigOptionsException>(() => ConfigOptions.Validate(OptionOwnerKind.Connector, "blackhole", [], new Dictionary<string, string> { ["x"] = "1" }));

        error.Message.ShouldBe("Connector 'blackhole' takes no options (got 'x').");
    }

    [Fact]
    public void Validate_MissingRequiredKey_NamesItWithItsDescription()
    {
        var error = Should.Throw<ConfigOptionsException>(() => Validate(("rate", "5")));

        error.Message.ShouldBe("Connector 'test' needs option 'topic' (The topic to read).");
        error.Key.ShouldBe("topic");
    }

    [Fact]
    public void Validate_BadChoice_ListsTheChoices()
    {
        var error = Should.Throw<ConfigOptionsException>(() => Validate(("topic", "t"), ("mode", "newest")));

        error.Message.ShouldBe("Option 'mode' of connector 'test' must be one of 'earliest', 'latest' (got 'newest').");
    }

    [Fact]
    public void Validate_BadChoiceOfPatternKey_NamesTheConcreteKey()
    {
        var error = Should.Throw<ConfigOptionsException>(() => Validate(("topic", "t"), ("fields.id.kind", "randm")));

        error.Message.ShouldBe("Option 'fields.id.kind' of connector 'test' must be one of 'random', 'sequence' (got 'randm').");
    }

    [Theory]
    [InlineData("rate", "0", "Option 'rate' of connector 'test' must be a whole number between 1 and 1000 (got '0').")]
    [InlineData("rate", "1001", "Option 'rate' of connector 'test' must be a whole number between 1 and 1000 (got '1001').")]
    [InlineData("rate", "ten", "Option 'rate' of connector 'test' must be a whole number between 1 and 1000 (got 'ten').")]
    [InlineData("rate", "99999999999", "Option 'rate' of connector 'test' must be a whole number between 1 and 1000 (got '99999999999').")]
    [InlineData("count", "-1", "Option 'count' of connector 'test' must be a whole number at least 0 (got '-1').")]
    [InlineData("ratio", "1.5", "Option 'ratio' of connector 'test' must be a number between 0 and 1 (got '1.5').")]
    [InlineData("ratio", "NaN", "Option 'ratio' of connector 'test' must be a number between 0 and 1 (got 'NaN').")]
    [InlineData("verbose", "yes", "Option 'verbose' of connector 'test' must be 'true' or 'false' (got 'yes').")]
    [InlineData("interval", "10 parsecs", "Option 'interval' of connector 'test' must be a duration such as '500ms', '10 s' or '5 min' (got '10 parsecs').")]
    public void Validate_BadValue_NamesTheOptionTheValueAndTheRange(string key, string value, string expected)
    {
        var error = Should.Throw<ConfigOptionsException>(() => Validate(("topic", "t"), (key, value)));

        error.Message.ShouldBe(expected);
        error.Key.ShouldBe(key);
    }

    [Fact]
    public void Getters_GivenValues_AreTyped()
    {
        var options = Validate(("topic", "orders"), ("rate", "7"), ("count", "12345678901"), ("ratio", "0.25"), ("verbose", "TRUE"),
            ("interval", "500ms"), ("mode", "LATEST"));

        options.GetString("topic").ShouldBe("orders");
        options.GetInt32("rate").ShouldBe(7);
        options.GetInt64("count").ShouldBe(12_345_678_901L);
        options.GetDouble("ratio").ShouldBe(0.25);
        options.GetBoolean("verbose").ShouldBe(true);
        options.GetDuration("interval").ShouldBe(TimeSpan.FromMilliseconds(500));
        options.GetChoice("mode").ShouldBe("latest");
    }

    [Fact]
    public void Getters_AbsentValues_GiveTheDefaultOrNull()
    {
        var options = Validate(("topic", "orders"));

        options.GetInt32("rate").ShouldBe(100);
        options.GetInt64("count").ShouldBeNull();
        options.GetDouble("ratio").ShouldBe(0.5);
        options.GetBoolean("verbose").ShouldBe(false);
        options.GetDuration("interval").ShouldBe(TimeSpan.FromSeconds(10));
        options.GetChoice("mode").ShouldBe("earliest");
        options.GetChoice("fields.id.kind").ShouldBe("random");
        options.Contains("rate").ShouldBeFalse();
        options.Contains("topic").ShouldBeTrue();
    }

    [Fact]
    public void NamesOf_PatternKey_GivesTheNamesInOrdinalOrder()
    {
        var options = Validate(("topic", "t"), ("fields.name.kind", "random"), ("fields.id.kind", "sequence"), ("fields.a.b.kind", "random"));

        options.NamesOf("fields.#.kind").ShouldBe(["a.b", "id", "name"]);
        options.GetChoice("fields.id.kind").ShouldBe("sequence");
    }

    [Fact]
    public void Getter_KeyTheSpecDoesNotDescribe_IsAProgrammingError()
    {
        var options = Validate(("topic", "t"));

        Should.Throw<InvalidOperationException>(() => options.GetString("nope"));
    }

    [Fact]
    public void Invalid_ConnectorSpecificCheck_IsOneSentenceWithTheValue()
    {
        var options = Validate(("topic", "t"), ("rate", "7"));

        options.Invalid("rate", "must be even").Message.ShouldBe("Option 'rate' of connector 'test' must be even (got '7').");
        options.Invalid("ratio", "must be above 0.6").Message.ShouldBe("Option 'ratio' of connector 'test' must be above 0.6 (got '0.5').");
    }

    [Theory]
    [InlineData("500ms", 500 * TimeSpan.TicksPerMillisecond)]
    [InlineData("500 ms", 500 * TimeSpan.TicksPerMillisecond)]
    [InlineData("250", 250 * TimeSpan.TicksPerMillisecond)]
    [InlineData("10 s", 10 * TimeSpan.TicksPerSecond)]
    [InlineData("10s", 10 * TimeSpan.TicksPerSecond)]
    [InlineData("3 seconds", 3 * TimeSpan.TicksPerSecond)]
    [InlineData("5 min", 5 * TimeSpan.TicksPerMinute)]
    [InlineData("5m", 5 * TimeSpan.TicksPerMinute)]
    [InlineData("2h", 2 * TimeSpan.TicksPerHour)]
    [InlineData("1 d", TimeSpan.TicksPerDay)]
    [InlineData("7us", 70)]
    [InlineData("1500ns", 15)]
    [InlineData(" 0 ", 0)]
    public void TryParseDuration_FlinkSpellings_AreRead(string text, long ticks)
    {
        ConfigOptions.TryParseDuration(text, out var duration).ShouldBeTrue();
        duration.Ticks.ShouldBe(ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("-1 s")]
    [InlineData("1.5 s")]
    [InlineData("ten seconds")]
    [InlineData("10 parsecs")]
    [InlineData("99999999999999 d")]
    public void TryParseDuration_OtherText_IsRejected(string text)
    {
        ConfigOptions.TryParseDuration(text, out _).ShouldBeFalse();
    }

    [Fact]
    public void ConnectorOption_PatternKey_MatchesNamesBetweenPrefixAndSuffix()
    {
        var option = new ConfigOption("fields.#.kind", ConfigOptionType.String, "x");

        option.Matches("fields.id.kind", out var name).ShouldBeTrue();
        name.ShouldBe("id");
        option.Matches("fields..kind", out _).ShouldBeFalse();
        option.Matches("fields.id.min", out _).ShouldBeFalse();
        option.IsPattern.ShouldBeTrue();
        Should.Throw<ArgumentException>(() => new ConfigOption("a.#.#", ConfigOptionType.String, "x"));
    }

    [Fact]
    public void Validate_AnyLongAgainstAnyRange_AcceptedExactlyWhenInRange()
    {
        Gen.Select(Gen.Long[-1000, 1000], Gen.Long[-1000, 1000], Gen.Long[-1200, 1200]).Sample((a, b, value) =>
        {
            var (min, max) = a <= b ? (a, b) : (b, a);
            ConfigOption[] spec = [new("n", ConfigOptionType.Long, "A number.") { Minimum = min, Maximum = max }];
            var text = value.ToString(CultureInfo.InvariantCulture);
            var values = new Dictionary<string, string> { ["n"] = text };
            if (value >= min && value <= max)
            {
                return ConfigOptions.Validate(OptionOwnerKind.Connector, "p", spec, values).GetInt64("n") == value;
            }
            var error = Should.Throw<ConfigOptionsException>(() => ConfigOptions.Validate(OptionOwnerKind.Connector, "p", spec, values));
            return error.Message == string.Create(CultureInfo.InvariantCulture, $"Option 'n' of connector 'p' must be a whole number between {min} and {max} (got '{text}').");
        }, iter: 500);
    }

    [Theory]
    [InlineData(";", ';')]
    [InlineData("\\t", '\t')]
    [InlineData("\\\\", '\\')]
    [InlineData("\\u0001", '\u0001')]
    public void GetCharacter_CharacterOrEscape_ReadsTheCharacter(string text, char expected) =>
        Validate(("topic", "t"), ("delimiter", text)).GetCharacter("delimiter").ShouldBe(expected);

    [Fact]
    public void GetCharacter_Absent_ReadsTheDefault() =>
        Validate(("topic", "t")).GetCharacter("delimiter").ShouldBe(',');

    [Fact]
    public void Validate_TwoCharacters_NamesOptionValueAndWhatIsValid()
    {
        var error = Should.Throw<ConfigOptionsException>(() => Validate(("topic", "t"), ("delimiter", "||")));

        error.Message.ShouldBe("Option 'delimiter' of connector 'test' must be exactly one character or an escape such as '\\t' (got '||').");
    }

    [Fact]
    public void Validate_FormatOwner_NamesTheFormatInEveryMessage()
    {
        ConfigOption[] spec = [new("json.strict", ConfigOptionType.Boolean, "Be strict.") { DefaultValue = "false" }];

        Should.Throw<ConfigOptionsException>(() => ConfigOptions.Validate(OptionOwnerKind.Format, "json", spec, new Dictionary<string, string> { ["json.strct"] = "true" }))
            .Message.ShouldBe("Format 'json' has no option 'json.strct'; its options are: json.strict.");
        var bad = Should.Throw<ConfigOptionsException>(() => ConfigOptions.Validate(OptionOwnerKind.Format, "json", spec, new Dictionary<string, string> { ["json.strict"] = "yes" }));
        bad.Message.ShouldBe("Option 'json.strict' of format 'json' must be 'true' or 'false' (got 'yes').");
        bad.Owner.ShouldBe("json");
        bad.Key.ShouldBe("json.strict");
    }
}
