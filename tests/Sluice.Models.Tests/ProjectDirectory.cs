namespace Sluice.Models.Tests;

/// <summary>A temporary copy of a test project (from Data/) with a profiles.yml pointing at a temporary DuckDB file; deleted on dispose.</summary>
internal sealed class ProjectDirectory : IDisposable
{
    public ProjectDirectory(string? template = null)
    {
        Root = Path.Combine(Path.GetTempPath(), "sluice-models-" + Guid.NewGuid().ToString("N"));
        Project = Path.Combine(Root, "project");
        Profiles = Path.Combine(Root, "profiles");
        Directory.CreateDirectory(Project);
        Directory.CreateDirectory(Profiles);
        if (template is not null)
        {
            Copy(Path.Combine(AppContext.BaseDirectory, "Data", template), Project);
        }
        Database = Path.Combine(Root, "warehouse.duckdb");
        System.IO.File.WriteAllText(Path.Combine(Profiles, "profiles.yml"), $"""
            {ProfileName(template)}:
              target: dev
              outputs:
                dev:
                  type: duckdb
                  path: {Database}
                  threads: 2
            """);
    }

    public string Root { get; }

    public string Project { get; }

    public string Profiles { get; }

    public string Database { get; }

    public string File(string relative) => Path.Combine(Project, relative);

    public void Write(string relative, string text)
    {
        var path = File(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
    }

    public ModelRunOptions Options(ModelCommand command, params string[] select) => new()
    {
        ProjectDirectory = Project,
        ProfilesDirectory = Profiles,
        Command = command,
        Select = select,
    };

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private static string ProfileName(string? template) => template ?? "test";

    private static void Copy(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(directory.Replace(from, to, StringComparison.Ordinal));
        }
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            System.IO.File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        }
    }
}
