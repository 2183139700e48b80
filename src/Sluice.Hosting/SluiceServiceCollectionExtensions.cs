using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sluice;
using Sluice.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Runs Sluice jobs in a .NET generic host: <see cref="AddSluice"/> registers the <see cref="JobRegistry"/> and the
/// hosted service, <see cref="AddSluiceJob(IServiceCollection, string, Action{IServiceProvider, StreamEnvironment})"/>
/// registers a job. Jobs are built and submitted when the host starts, log through the host's logger factory, and are
/// stopped when the host stops. See docs/hosting.md.
/// </summary>
public static class SluiceServiceCollectionExtensions
{
    /// <summary>
    /// Registers Sluice: the <see cref="JobRegistry"/> singleton (every hosted job is listed there, and other code may
    /// submit jobs to it) and the hosted service that runs the jobs added with <c>AddSluiceJob</c>. Calling it again
    /// adds <paramref name="configure"/> and nothing else.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the shutdown mode and what a failing job does to the host; null keeps the defaults.</param>
    public static IServiceCollection AddSluice(this IServiceCollection services, Action<SluiceHostingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<SluiceHostingOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SluiceHostingOptions>, SluiceHostingOptionsValidator>());
        if (configure is not null)
        {
            services.Configure(configure);
        }
        services.TryAddSingleton<JobRegistry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SluiceJobHost>());
        return services;
    }

    /// <summary>
    /// Registers a job with default <see cref="JobOptions"/> (its <see cref="JobOptions.JobName"/> is
    /// <paramref name="name"/>, its logger factory the host's): when the host starts, a new
    /// <see cref="StreamEnvironment"/> is handed to <paramref name="build"/>, which adds the job's sources, operators and
    /// sinks (resolving what it needs from the <see cref="IServiceProvider"/>), and the job is submitted to the
    /// <see cref="JobRegistry"/>. Also registers Sluice (<see cref="AddSluice"/>) if that was not done yet.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="name">The job's name, unique among the host's jobs.</param>
    /// <param name="build">Builds the job; called once, on the thread starting the host. An exception fails the host's start.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already registered.</exception>
    public static IServiceCollection AddSluiceJob(this IServiceCollection services, string name, Action<IServiceProvider, StreamEnvironment> build) =>
        AddJob(services, name, null, build);

    /// <summary>
    /// Registers a job as <see cref="AddSluiceJob(IServiceCollection, string, Action{IServiceProvider, StreamEnvironment})"/>
    /// does, with the <see cref="JobOptions"/> <paramref name="options"/> returns (parallelism, checkpoints, restarts…).
    /// <see cref="JobOptions.JobName"/> is replaced by <paramref name="name"/>; a <see cref="JobOptions.LoggerFactory"/>
    /// left at its default becomes the host's.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="name">The job's name, unique among the host's jobs.</param>
    /// <param name="options">Creates the job's options when the host starts.</param>
    /// <param name="build">Builds the job; called once, on the thread starting the host. An exception fails the host's start.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already registered.</exception>
    public static IServiceCollection AddSluiceJob(this IServiceCollection services, string name, Func<IServiceProvider, JobOptions> options,
        Action<IServiceProvider, StreamEnvironment> build)
    {
        ArgumentNullException.ThrowIfNull(options);
        return AddJob(services, name, options, build);
    }

    private static IServiceCollection AddJob(IServiceCollection services, string name, Func<IServiceProvider, JobOptions>? options,
        Action<IServiceProvider, StreamEnvironment> build)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(build);
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(SluiceJobDefinition) && descriptor.ImplementationInstance is SluiceJobDefinition { Name: var existing }
                && string.Equals(existing, name, StringComparison.Ordinal))
            {
                throw new ArgumentException($"A Sluice job named '{name}' is already registered: give each hosted job its own name.", nameof(name));
            }
        }
        services.AddSluice();
        services.AddSingleton(new SluiceJobDefinition(name, options, build));
        return services;
    }
}
