using Microsoft.Extensions.Options;

namespace Sluice.Hosting;

/// <summary>Checks <see cref="SluiceHostingOptions"/> when the hosted service resolves them (at the host's start).</summary>
internal sealed class SluiceHostingOptionsValidator : IValidateOptions<SluiceHostingOptions>
{
    public ValidateOptionsResult Validate(string? name, SluiceHostingOptions options) =>
        Enum.IsDefined(options.ShutdownMode)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"SluiceHostingOptions.ShutdownMode is {(int)options.ShutdownMode}: use JobShutdownMode.Drain or JobShutdownMode.Suspend.");
}
