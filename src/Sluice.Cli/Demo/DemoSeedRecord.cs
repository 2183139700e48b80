using System.Globalization;
using Sluice.Examples.Clickstream.Demo;

namespace Sluice.Cli.Demo;

/// <summary>
/// The <c>--seed</c> a demo data directory was made with, kept in its <c>seed</c> file. The input is generated into the
/// directory once; a later run resumes or re-reads it, so a different seed there would be silently ignored while the
/// banner claimed it. The first run in a new directory records its seed; a later run with another seed is refused.
/// Directories from before this file existed hold no record and are not checked.
/// </summary>
internal static class DemoSeedRecord
{
    /// <summary>Name of the record file in the data directory: the seed in invariant-culture decimal, one line.</summary>
    public const string FileName = "seed";

    /// <summary>
    /// Records <paramref name="seed"/> in <paramref name="fullDirectory"/> when it holds no demo run yet, or checks it
    /// against the recorded one. <paramref name="shownDirectory"/> is the path as the user typed it, for the message.
    /// </summary>
    /// <exception cref="CommandFailedException">The directory was made with another seed.</exception>
    public static void CheckOrRecord(string fullDirectory, string shownDirectory, int seed)
    {
        string file = Path.Combine(fullDirectory, FileName);
        if (File.Exists(file))
        {
            string recorded = File.ReadAllText(file).Trim();
            if (recorded != seed.ToString(CultureInfo.InvariantCulture))
            {
                throw new CommandFailedException(string.Create(CultureInfo.InvariantCulture,
                    $"The demo data directory '{shownDirectory}' was made with --seed {recorded}, not {seed}: rerun with --seed {recorded}, or use another --data-dir."));
            }

            return;
        }

        var paths = new DemoPaths(fullDirectory);
        if (Directory.Exists(paths.Log) || Directory.Exists(paths.Checkpoints) || Directory.Exists(paths.Lake) || File.Exists(paths.Warehouse))
        {
            return; // A run from before seeds were recorded: its seed is unknown.
        }

        File.WriteAllText(file, seed.ToString(CultureInfo.InvariantCulture) + Environment.NewLine);
    }
}
