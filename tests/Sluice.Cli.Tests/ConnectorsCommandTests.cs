namespace Sluice.Cli.Tests;

/// <summary><c>sluice connectors list</c> and <c>describe</c>: what tables can use, from the same registry as the engine.</summary>
public sealed class ConnectorsCommandTests
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void List_ShowsEveryShippedConnectorWithItsKind()
    {
        var result = CliProcess.Run(null, "connectors", "list");

        result.ExitCode.ShouldBe(0);
        result.Stderr.ShouldBeEmpty();
        var lines = Lines(result.Stdout);
        lines.ShouldContain(l => l.Contains("│ datagen ", StringComparison.Ordinal) && l.Contains("│ source ", StringComparison.Ordinal));
        lines.ShouldContain(l => l.Contains("│ nexmark ", StringComparison.Ordinal) && l.Contains("│ source ", StringComparison.Ordinal));
        lines.ShouldContain(l => l.Contains("│ print ", StringComparison.Ordinal) && l.Contains("│ sink ", StringComparison.Ordinal));
        lines.ShouldContain(l => l.Contains("│ blackhole ", StringComparison.Ordinal) && l.Contains("│ sink ", StringComparison.Ordinal));
        lines.ShouldContain(l => l.Contains("│ sluice-log ", StringComparison.Ordinal) && l.Contains("│ source, sink ", StringComparison.Ordinal));
    }

    [Fact]
    public void Describe_Datagen_ListsEveryOptionWithTypeDefaultAndChoices()
    {
        var result = CliProcess.Run(null, "connectors", "describe", "datagen");

        result.ExitCode.ShouldBe(0);
        var lines = Lines(result.Stdout);
        lines[0].ShouldStartWith("datagen (source): ");
        var kind = lines.Single(l => l.Contains("│ fields.#.kind ", StringComparison.Ordinal));
        kind.ShouldContain("│ enum ");
        kind.ShouldContain("│ random ");
        kind.ShouldContain("│ random, sequence ");
        var rate = lines.Single(l => l.Contains("│ rows-per-second ", StringComparison.Ordinal));
        rate.ShouldContain("│ long ");
        rate.ShouldContain("│ 10000 ");
        rate.ShouldContain("│ ≥ 1 ");
        foreach (var key in new[] { "number-of-rows", "seed", "fields.#.min", "fields.#.max", "fields.#.max-past", "fields.#.length", "fields.#.start", "fields.#.end", "fields.#.null-rate" })
        {
            lines.ShouldContain(l => l.Contains($"│ {key} ", StringComparison.Ordinal), key);
        }
    }

    [Fact]
    public void Describe_Kafka_PrintsTheChangelogModesAfterTheTitle()
    {
        var result = CliProcess.Run(null, "connectors", "describe", "kafka");

        result.ExitCode.ShouldBe(0);
        Lines(result.Stdout)[1].ShouldBe("Changelog: source produces InsertOnly [+I], sink accepts InsertOnly [+I].");
    }

    [Fact]
    public void Describe_DuckDb_PrintsTheModesWithoutAndWithAPrimaryKey()
    {
        var result = CliProcess.Run(null, "connectors", "describe", "duckdb");

        result.ExitCode.ShouldBe(0);
        var lines = Lines(result.Stdout);
        lines[1].ShouldBe("Changelog without a PRIMARY KEY: sink accepts InsertOnly [+I].");
        lines[2].ShouldBe("Changelog with a PRIMARY KEY: sink accepts Upsert [+I, +U, -D].");
    }

    [Fact]
    public void Describe_ConnectorWithoutOptions_SaysSo()
    {
        var result = CliProcess.Run(null, "connectors", "describe", "blackhole");

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldContain("Connector 'blackhole' takes no options.");
    }

    [Fact]
    public void Describe_UnknownConnector_IsAUsageErrorListingTheKnownOnes()
    {
        var result = CliProcess.Run(null, "connectors", "describe", "kafak");

        result.ExitCode.ShouldBe(2);
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldBe("error: There is no connector 'kafak'; the known connectors are: blackhole, datagen, delta, duckdb, filesystem, jdbc, kafka, nexmark, postgres, postgres-cdc, print, redis, sluice-log, upsert-kafka.\n");
    }
}

/// <summary>docs/connectors/registry.md lists every connector <c>describe</c> shows, with the same option rows.</summary>
public sealed class ConnectorDocsTests
{
    private static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sluice.slnx")))
            {
                return Path.Combine(dir.FullName, relative);
            }
        }
        throw new InvalidOperationException("The test does not run inside the repository.");
    }

    [Fact]
    public void RegistryPage_DocumentsEveryConnectorChangelogAndOptionAsDescribeShowsThem()
    {
        var page = File.ReadAllText(RepositoryFile("docs/connectors/registry.md")).ReplaceLineEndings("\n");
        var lines = page.Split('\n');

        foreach (var factory in Connectors.ConnectorsCommand.Registry().Factories)
        {
            lines.ShouldContain($"## `{factory.Identifier}`", $"a section for {factory.Identifier}");
            foreach (var changelog in Connectors.ConnectorsCommand.ChangelogLines(factory))
            {
                lines.ShouldContain($"- `{factory.Identifier}`: {changelog}", $"{factory.Identifier}: changelog");
            }
            foreach (var option in factory.Options)
            {
                var row = $"| `{option.Key}` | {(option.IsRequired ? "yes" : "no")} | {option.TypeName} | {option.DefaultValue ?? "—"} | "
                    + $"{Connectors.ConnectorsCommand.Choices(option)} | {option.Description} |";
                lines.ShouldContain(row, $"{factory.Identifier}: {option.Key}");
            }
        }
    }
}
