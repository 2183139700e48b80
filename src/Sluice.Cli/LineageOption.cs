using System.CommandLine;
using Sluice.Lineage;

namespace Sluice.Cli;

/// <summary>
/// <c>--lineage &lt;file-path|http-url&gt;</c>, shared by the commands that run models or jobs: where their OpenLineage
/// events go (docs/lineage.md). Without it, <c>OPENLINEAGE_URL</c> decides; without that, lineage is off.
/// </summary>
internal static class LineageOption
{
    public static Option<string?> Create() => new("--lineage")
    {
        Description = "Send OpenLineage run events to a JSON-lines file or an http(s) URL (posted to {url}/api/v1/lineage, key from OPENLINEAGE_API_KEY); default: OPENLINEAGE_URL, else off.",
    };

    /// <summary>The emitter the option (or the environment) asks for; the caller disposes it, which delivers what is queued.</summary>
    public static ILineageEmitter Emitter(ParseResult parse, Option<string?> option)
    {
        try
        {
            return LineageEmitters.Create(parse.GetValue(option), CommandLineHost.LoggerFactory(parse));
        }
        catch (ArgumentException e)
        {
            throw new CommandFailedException($"--lineage: {e.Message}", e);
        }
    }
}
