using System.CommandLine;

namespace Sluice.Tests.Shared;

/// <summary>Checks how a command-line tool reports a bad option value: before anything runs, as one sentence.</summary>
internal static class UsageErrors
{
    /// <summary>Parsing <paramref name="args"/> gives exactly one error: one sentence that starts with <paramref name="option"/>.</summary>
    public static void ShouldBeOneSentenceNaming(RootCommand root, string option, string[] args)
    {
        var errors = root.Parse(args).Errors;

        errors.Count.ShouldBe(1, $"sluice {string.Join(' ', args)}");
        var message = errors[0].Message;
        message.ShouldStartWith(option + " ");
        message.ShouldEndWith(".");
        message.ShouldNotContain("\n");
        message.ShouldNotContain("(Parameter");
    }
}
