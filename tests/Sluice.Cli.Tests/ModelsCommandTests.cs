namespace Sluice.Cli.Tests;

/// <summary><c>sluice models …</c> as a user runs it: jaffle_shop builds, a failing test exits 1 with its rows, a broken project runs nothing.</summary>
public sealed class ModelsCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sluice-cli-models-" + Guid.NewGuid().ToString("N"));
    private readonly string _project;
    private readonly string _profiles;

    public ModelsCommandTests()
    {
        _project = Path.Combine(_root, "jaffle_shop");
        _profiles = Path.Combine(_root, "profiles");
        var from = Path.Combine(AppContext.BaseDirectory, "jaffle_shop");
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(_project, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        Directory.CreateDirectory(_profiles);
        File.WriteAllText(Path.Combine(_profiles, "profiles.yml"), $"jaffle_shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {Path.Combine(_root, "jaffle.duckdb")}\n      threads: 2\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private CliProcess.Result Models(params string[] args) =>
        CliProcess.Run(TimeSpan.FromSeconds(180), null, ["models", .. args, "--project-dir", _project, "--profiles-dir", _profiles]);

    [Fact]
    public void Build_JaffleShop_PassesEverythingWithProgressLines()
    {
        var result = Models("build");

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        result.Stdout.ShouldContain("PASS=28 WARN=0 ERROR=0 FAIL=0 SKIP=0 TOTAL=28");
        result.Stdout.ShouldContain("START table model \"main\".\"customers\"");
        result.Stdout.ShouldContain("OK seed file \"main\".\"raw_customers\" [INSERT 100]");
        File.Exists(Path.Combine(_project, "target", "run_results.json")).ShouldBeTrue();
    }

    [Fact]
    public void Test_DuplicateCustomer_ExitsOneNamingTheTestColumnAndRow()
    {
        var customers = Path.Combine(_project, "seeds", "raw_customers.csv");
        File.AppendAllText(customers, "1,Copy,C.\n");
        Models("seed").ExitCode.ShouldBe(0);
        Models("run", "--select", "stg_customers").ExitCode.ShouldBe(0);

        var result = Models("test", "--select", "stg_customers");

        result.ExitCode.ShouldBe(1);
        result.Stdout.ShouldContain("Failure in test unique_stg_customers_customer_id: 1 failing row in model 'stg_customers', column 'customer_id'; first: unique_field=1, n_records=2");
        result.Stdout.ShouldContain("PASS=1 WARN=0 ERROR=0 FAIL=1 SKIP=0 TOTAL=2");
    }

    [Fact]
    public void Seed_WithLineageFile_WritesAStartAndCompletePerSeedUnderTheCommandsRun()
    {
        var lineage = Path.Combine(_root, "lineage.jsonl");

        var result = Models("seed", "--lineage", lineage);

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        var events = File.ReadAllLines(lineage).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        events.Select(e => e.GetProperty("job").GetProperty("name").GetString() + " " + e.GetProperty("eventType").GetString())
            .Order(StringComparer.Ordinal)
            .ShouldBe([
                "jaffle_shop COMPLETE", "jaffle_shop START",
                "seed.jaffle_shop.raw_customers COMPLETE", "seed.jaffle_shop.raw_customers START",
                "seed.jaffle_shop.raw_orders COMPLETE", "seed.jaffle_shop.raw_orders START",
                "seed.jaffle_shop.raw_payments COMPLETE", "seed.jaffle_shop.raw_payments START",
            ]);
    }

    [Fact]
    public void Ls_Upstream_ListsInDependencyOrder()
    {
        var result = Models("ls", "--select", "+stg_orders");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe([
            "seed.jaffle_shop.raw_orders",
            "model.jaffle_shop.stg_orders",
            "test.jaffle_shop.accepted_values_stg_orders_status__placed__shipped__completed__return_pending__returned",
            "test.jaffle_shop.not_null_stg_orders_order_id",
            "test.jaffle_shop.unique_stg_orders_order_id",
        ]);
    }

    [Fact]
    public void Run_MissingRef_OneErrorLineAndNothingRuns()
    {
        File.AppendAllText(Path.Combine(_project, "models", "customers.sql"), "\nunion all select * from {{ ref('stg_customer') }}\n");

        var result = Models("run");

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldBe("error: models/customers.sql:71:28: model 'customers' refers to 'stg_customer', which is no model or seed of this project (did you mean 'stg_customers'?)\n");
        result.Stdout.ShouldBeEmpty();
        File.Exists(Path.Combine(_root, "jaffle.duckdb")).ShouldBeFalse();
    }
}
