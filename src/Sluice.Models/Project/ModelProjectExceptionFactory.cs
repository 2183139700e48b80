namespace Sluice.Models.Project;

/// <summary>Makes <see cref="ModelProjectException"/>s that start with <c>file:line: </c>.</summary>
internal readonly record struct ModelProjectExceptionFactory(string File)
{
    public ModelProjectException Create(int line, string reason) => new($"{File}:{line}: {reason}.");
}
