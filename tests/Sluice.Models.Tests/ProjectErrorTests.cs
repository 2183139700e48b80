namespace Sluice.Models.Tests;

/// <summary>A broken project fails before anything runs, with one error naming the file and line.</summary>
public sealed class ProjectErrorTests : IDisposable
{
    private readonly ProjectDirectory _project = new();

    public ProjectErrorTests() => _project.Write("sluice_project.yml", "name: shop\nprofile: test\n");

    public void Dispose() => _project.Dispose();

    private async Task<string> LoadError(ModelCommand command = ModelCommand.Build)
    {
        var error = await Should.ThrowAsync<ModelProjectException>(() => ModelRunner.RunAsync(_project.Options(command), null, CancellationToken.None));
        File.Exists(_project.Database).ShouldBeFalse("nothing may run (or even connect) before the project loads");
        return error.Message;
    }

    [Fact]
    public async Task Load_MissingRef_NamesFileLineAndColumn()
    {
        _project.Write("models/a.sql", "select 1 as id");
        _project.Write("models/b.sql", "select *\nfrom {{ ref('a') }}\njoin {{ ref('c') }} using (id)");

        (await LoadError()).ShouldBe("models/b.sql:3:9: model 'b' refers to 'c', which is no model or seed of this project");
    }

    [Fact]
    public async Task Load_Cycle_NamesTheModelsInOrder()
    {
        _project.Write("models/a.sql", "select * from {{ ref('c') }}");
        _project.Write("models/b.sql", "select * from {{ ref('a') }}");
        _project.Write("models/c.sql", "select * from {{ ref('b') }}");

        (await LoadError()).ShouldBe("models/a.sql:1: the models form a cycle: a -> c -> b -> a (each refers to the next); break it by removing one ref.");
    }

    [Fact]
    public async Task Load_JinjaSyntaxError_NamesFileLineAndColumn()
    {
        _project.Write("models/a.sql", "select 1 as id");
        _project.Write("models/orders.sql", "select\n{% for c in ['x', 'y'] %}\n  {{ c }},\n{% endif %}\n1 as z");

        (await LoadError(ModelCommand.Compile)).ShouldBe("models/orders.sql:4:4: unexpected 'endif': expected '{% else %}' or '{% endfor %}'");
    }

    [Fact]
    public async Task Load_SchemaTestOnUnknownModel_NamesTheYamlLine()
    {
        _project.Write("models/a.sql", "select 1 as id");
        _project.Write("models/schema.yml", "version: 2\nmodels:\n  - name: a\n  - name: ab\n    columns:\n      - name: id\n");

        (await LoadError()).ShouldBe("models/schema.yml:4: model 'ab' is described here but there is no models/**/ab.sql (did you mean 'a'?).");
    }

    [Fact]
    public async Task Load_UnsupportedGenericTest_SaysWhatIsSupported()
    {
        _project.Write("models/a.sql", "select 1 as id");
        _project.Write("models/schema.yml", "version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        tests:\n          - dbt_utils.at_least_one\n");

        (await LoadError()).ShouldBe("models/schema.yml:5: test 'dbt_utils.at_least_one' on column 'a.id' is not supported (generic tests: not_null, unique, accepted_values, relationships; write other checks as singular tests in tests/*.sql).");
    }

    [Fact]
    public async Task Load_NoProjectFile_SaysWhereToRun()
    {
        File.Delete(_project.File("sluice_project.yml"));

        (await LoadError()).ShouldBe($"'{_project.Project}' has no sluice_project.yml or dbt_project.yml: run the command in a project folder or pass --project-dir.");
    }
}
