using System.CommandLine;
using System.CommandLine.Invocation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;

namespace Sluice.Cli;

/// <summary>
/// What every Sluice command-line tool does around its commands — the <c>sluice</c> tool and the repository's
/// <c>sluice-bench</c> (benchmarks and the kill harness, reached as <c>./sluice bench …</c> and <c>./sluice chaos …</c>)
/// compile this one file. Exit codes: 0 success; 1 the command failed (<c>error: &lt;one sentence&gt;</c> on stderr,
/// the stack trace only with <c>--verbose</c>); 2 usage error (an unknown or out-of-range option, reported before
/// anything runs); commands may define more (3 = <c>log produce</c> skipped lines).
/// </summary>
internal static class CommandLineHost
{
    /// <summary>Exit code of a command line that does not parse or whose option values are out of range.</summary>
    public const int UsageErrorExitCode = 2;

    /// <summary>
    /// <c>--verbose</c>, on every command (add it to the root): failures also print their stack trace, informational
    /// log lines are printed (<c>info: …</c>: jobs starting and ending, restores); <c>chaos</c> also echoes its child's
    /// output lines.
    /// </summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "On failure, also print the stack trace; also print informational log lines (chaos: also echo the child's output).",
        Recursive = true,
    };

    /// <summary>
    /// Parses <paramref name="args"/> against <paramref name="root"/> and runs the chosen command; returns the process
    /// exit code. The command logs through one logger factory (<see cref="LoggerFactory"/>): warnings and errors on
    /// stderr, information too with <c>--verbose</c>; it is disposed (flushed) when the command ends.
    /// </summary>
    public static int Run(SluiceRootCommand root, string[] args)
    {
        if (Console.IsOutputRedirected)
        {
            // Piped or redirected: plain text for scripts and files — no ANSI codes, no wrapping at 80 columns.
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Out = new AnsiConsoleOutput(Console.Out),
            });
            AnsiConsole.Profile.Width = 4096;
        }

        ParseResult? parse = null;
        ILoggerFactory? loggerFactory = null;
        try
        {
            parse = root.Parse(args);
            if (parse.Action is ParseErrorAction)
            {
                foreach (var error in parse.Errors)
                {
                    Console.Error.WriteLine($"error: {error.Message}");
                }

                Console.Error.WriteLine($"Run '{CommandPath(parse.CommandResult)} --help' for usage.");
                return UsageErrorExitCode;
            }

            loggerFactory = StderrLoggerProvider.CreateFactory(parse.GetValue(Verbose));
            root.LoggerFactory = loggerFactory;
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            // The one place a failure reaches the user: a sentence, and the stack trace only on request.
            Console.Error.WriteLine($"error: {UserMessage(e)}");
            if (parse?.GetValue(Verbose) ?? args.Contains(Verbose.Name))
            {
                Console.Error.WriteLine(e.ToString());
            }

            return 1;
        }
        finally
        {
            loggerFactory?.Dispose();
        }
    }

    /// <summary>
    /// The logger factory of the running command line (<see cref="Run"/>), or <see cref="NullLoggerFactory.Instance"/>
    /// when the command tree was built elsewhere (tests).
    /// </summary>
    public static ILoggerFactory LoggerFactory(ParseResult parse) =>
        (parse.RootCommandResult.Command as SluiceRootCommand)?.LoggerFactory ?? NullLoggerFactory.Instance;

    /// <summary>
    /// The message of <paramref name="e"/> as a user should read it: an aggregate's single inner exception's, and an
    /// <see cref="ArgumentException"/>'s without the <c>(Parameter 'x')</c> suffix and "Actual value was" line .NET appends.
    /// </summary>
    public static string UserMessage(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            e = aggregate.InnerExceptions[0];
        }

        string message = e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            int suffix = message.IndexOf($" (Parameter '{name}')", StringComparison.Ordinal);
            if (suffix >= 0)
            {
                message = message[..suffix];
            }
        }

        return message;
    }

    /// <summary>The command as the user types it: <c>sluice</c> for the root (both tools are run as <c>./sluice</c>).</summary>
    private static string CommandPath(System.CommandLine.Parsing.CommandResult? command)
    {
        var names = new List<string>();
        for (; command is not null; command = command.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(command.Parent is null ? "sluice" : command.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
