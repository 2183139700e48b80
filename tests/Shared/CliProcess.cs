using System.Diagnostics;

namespace Sluice.Tests.Shared;

/// <summary>
/// Runs a built command-line tool of the repository as a child process and captures its output. Each test project
/// that links this file names its tool in the other part of the class: <c>private const string ToolDll = "….dll";</c>
/// (an assembly in the test's output directory).
/// </summary>
internal static partial class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(string? stdin, params string[] args) => Run(TimeSpan.FromSeconds(120), stdin, args);

    public static Result Run(TimeSpan timeout, string? stdin, params string[] args) => Run(timeout, stdin, new Dictionary<string, string?>(), args);

    /// <summary>Runs with <paramref name="environment"/> applied over the defaults (<c>NO_COLOR=1</c>); a null value removes the variable.</summary>
    public static Result Run(TimeSpan timeout, string? stdin, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, ToolDll);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileNameWithoutExtension(ToolDll)} {string.Join(' ', args)} did not finish in {timeout.TotalSeconds} s.");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
