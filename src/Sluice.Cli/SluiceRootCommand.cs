using System.CommandLine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sluice.Cli;

/// <summary>The root command, carrying the CLI's logger factory to the command that runs (<see cref="CommandLineHost.LoggerFactory"/>); both command-line tools use it.</summary>
internal sealed class SluiceRootCommand(string description) : RootCommand(description)
{
    /// <summary>Set by <see cref="CommandLineHost.Run"/> once the command line parsed (it depends on <c>--verbose</c>).</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;
}
