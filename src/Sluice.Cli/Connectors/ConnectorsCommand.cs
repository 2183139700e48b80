using System.CommandLine;
using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Datagen;
using Sluice.Connectors.DuckDb;
using Sluice.Connectors.Kafka;
using Sluice.Connectors.Log;
using Sluice.Connectors.Nexmark;
using Spectre.Console;

namespace Sluice.Cli.Connectors;

/// <summary>
/// <c>sluice connectors list</c> and <c>sluice connectors describe NAME</c>: the connectors SQL tables and option
/// dictionaries can name, and every option of one (what <c>docs/connectors/registry.md</c> lists).
/// </summary>
internal static class ConnectorsCommand
{
    public static Command Create()
    {
        var command = new Command("connectors", "List the connectors tables can use ('connector' = '…') and describe their options.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Describe());
        return command;
    }

    /// <summary>Every connector this build ships: those of the loaded assemblies plus the connector assemblies the CLI references.</summary>
    internal static ConnectorRegistry Registry() =>
        ConnectorRegistry.FromLoadedAssemblies()
            .AddAssembly(typeof(DatagenConnectorFactory).Assembly)
            .AddAssembly(typeof(NexmarkConnectorFactory).Assembly)
            .AddAssembly(typeof(KafkaConnectorFactory).Assembly)
            .AddAssembly(typeof(LogConnectorFactory).Assembly)
            .AddAssembly(typeof(DuckDbConnectorFactory).Assembly)
            .AddAssembly(typeof(Sluice.Connectors.Delta.DeltaConnectorFactory).Assembly)
            .AddAssembly(typeof(Sluice.Connectors.Postgres.PostgresConnectorFactory).Assembly)
            .AddAssembly(typeof(Sluice.Connectors.Redis.RedisConnectorFactory).Assembly)
            .AddAssembly(typeof(Sluice.Formats.Registry.AvroConfluentFormat).Assembly);

    private static Command List()
    {
        var command = new Command("list", "List the connectors: identifier, source or sink, description.");
        command.SetAction(_ =>
        {
            var table = new Table().AddColumns("connector", "kind", "description");
            foreach (var factory in Registry().Factories)
            {
                table.AddRow(Markup.Escape(factory.Identifier), KindOf(factory.Capabilities), Markup.Escape(factory.Description));
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Describe()
    {
        var name = new Argument<string>("name") { Description = "The connector's identifier, as in 'connector' = '…'." };
        var command = new Command("describe", "Describe a connector's options: key, required, type, default, choices, description.") { name };
        command.SetAction(parse =>
        {
            var identifier = parse.GetValue(name)!;
            IConnectorFactory factory;
            try
            {
                factory = Registry().Get(identifier);
            }
            catch (ConfigOptionsException e)
            {
                // An unknown name is a usage error, like an unknown option: one sentence listing the known connectors.
                Console.Error.WriteLine($"error: {e.Message}");
                return Program.UsageErrorExitCode;
            }
            Console.WriteLine($"{factory.Identifier} ({KindOf(factory.Capabilities)}): {factory.Description}");
            foreach (var line in ChangelogLines(factory))
            {
                Console.WriteLine(line);
            }
            if (factory.Options.Count == 0)
            {
                Console.WriteLine($"Connector '{factory.Identifier}' takes no options.");
                return 0;
            }
            var table = new Table().AddColumns("option", "required", "type", "default", "choices", "description");
            foreach (var option in factory.Options)
            {
                table.AddRow(
                    Markup.Escape(option.Key),
                    option.IsRequired ? "yes" : "no",
                    option.TypeName,
                    Markup.Escape(option.DefaultValue ?? "—"),
                    Markup.Escape(Choices(option)),
                    Markup.Escape(option.Description));
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The changelog modes of <paramref name="factory"/>, asked for a one-column table (<c>id BIGINT NOT NULL</c>) with
    /// only the options' defaults: one line without a PRIMARY KEY, and a second line with <c>PRIMARY KEY (id)</c> when
    /// that changes the answer. A factory whose answer needs options the defaults do not give is described as depending
    /// on them. What <c>describe</c> prints and <c>docs/connectors/registry.md</c> lists.
    /// </summary>
    internal static IReadOnlyList<string> ChangelogLines(IConnectorFactory factory)
    {
        var plain = Changelog(factory, []);
        var keyed = Changelog(factory, ["id"]);
        return keyed == plain
            ? [$"Changelog: {plain}."]
            : [$"Changelog without a PRIMARY KEY: {plain}.", $"Changelog with a PRIMARY KEY: {keyed}."];
    }

    private static string Changelog(IConnectorFactory factory, string[] primaryKey)
    {
        try
        {
            // Required options are relaxed so that the defaults alone make a context; a factory reading one anyway throws below.
            var relaxed = new List<ConfigOption>(factory.Options.Count);
            foreach (var option in factory.Options)
            {
                relaxed.Add(option with { IsRequired = false });
            }
            var options = ConfigOptions.Validate(OptionOwnerKind.Connector, factory.Identifier, relaxed, new Dictionary<string, string>());
            var context = new ConnectorContext("t", Schemas.Schema.Parse("id BIGINT NOT NULL"), options) { PrimaryKey = primaryKey };
            var parts = new List<string>(2);
            if (factory.Capabilities.HasFlag(ConnectorCapabilities.Source))
            {
                parts.Add($"source produces {Mode(factory.GetSourceChangelogMode(context))}");
            }
            if (factory.Capabilities.HasFlag(ConnectorCapabilities.Sink))
            {
                parts.Add($"sink accepts {Mode(factory.GetSinkChangelogMode(context))}");
            }
            return string.Join(", ", parts);
        }
        catch (ConfigOptionsException)
        {
            return "depends on the options";
        }
    }

    private static string Mode(Schemas.ChangelogMode mode) => $"{mode} {Schemas.ChangelogModes.Describe(mode)}";

    /// <summary>The admitted values: the choices of an enum, the range of a number, else "—".</summary>
    internal static string Choices(ConfigOption option)
    {
        if (option.AllowedValues.Count > 0)
        {
            return string.Join(", ", option.AllowedValues);
        }
        var min = option.Minimum?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var max = option.Maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (min, max) switch
        {
            (not null, not null) => $"{min} … {max}",
            (not null, null) => $"≥ {min}",
            (null, not null) => $"≤ {max}",
            _ => "—",
        };
    }

    private static string KindOf(ConnectorCapabilities capabilities)
    {
        var kinds = new List<string>(3);
        if (capabilities.HasFlag(ConnectorCapabilities.Source))
        {
            kinds.Add("source");
        }
        if (capabilities.HasFlag(ConnectorCapabilities.Sink))
        {
            kinds.Add("sink");
        }
        if (capabilities.HasFlag(ConnectorCapabilities.Lookup))
        {
            kinds.Add("lookup");
        }
        return string.Join(", ", kinds);
    }
}
