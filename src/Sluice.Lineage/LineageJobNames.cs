namespace Sluice.Lineage;

/// <summary>Job namespaces: where Sluice's jobs are named.</summary>
public static class LineageJobNames
{
    /// <summary>The job namespace when none is configured (<c>OPENLINEAGE_NAMESPACE</c>), as OpenLineage clients default.</summary>
    public const string DefaultNamespace = "default";

    /// <summary>The job namespace: env <c>OPENLINEAGE_NAMESPACE</c>, else <see cref="DefaultNamespace"/>.</summary>
    public static string Namespace(Func<string, string?>? environment = null) =>
        (environment ?? Environment.GetEnvironmentVariable)("OPENLINEAGE_NAMESPACE") is { Length: > 0 } ns ? ns : DefaultNamespace;

    /// <summary>A job of <paramref name="name"/> in <paramref name="ns"/> with a jobType facet.</summary>
    public static LineageJob Job(string ns, string name, ProcessingType processingType, string jobType, string? sql = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ns);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new LineageJob
        {
            Namespace = ns,
            Name = name,
            Facets = new JobFacets
            {
                JobType = new JobTypeJobFacet { ProcessingType = processingType, JobType = jobType },
                Sql = sql is null ? null : new SqlJobFacet { Query = sql },
            },
        };
    }
}
