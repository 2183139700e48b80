namespace Sluice.Hosting;

/// <summary>A job registered with <c>AddSluiceJob</c>: built and submitted when the host starts.</summary>
/// <param name="Name">The job's name (its <see cref="JobOptions.JobName"/>); unique per host.</param>
/// <param name="Options">The job's options, or null for the defaults.</param>
/// <param name="Build">Adds the job's sources, operators and sinks.</param>
internal sealed record SluiceJobDefinition(string Name, Func<IServiceProvider, JobOptions>? Options, Action<IServiceProvider, StreamEnvironment> Build);
