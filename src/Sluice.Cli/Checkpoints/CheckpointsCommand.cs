using System.CommandLine;
using System.Text.Json;
using Sluice.Checkpoints;
using Spectre.Console;

namespace Sluice.Cli.Checkpoints;

/// <summary><c>sluice checkpoints</c>: inspect a job's checkpoint directory and take savepoints from it.</summary>
internal static class CheckpointsCommand
{
    public static Command Create()
    {
        var command = new Command("checkpoints", "Inspect a checkpoint directory and copy checkpoints out as savepoints.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Savepoint());
        return command;
    }

    private static Option<string> DirOption() => new("--dir") { Description = "The job's checkpoint directory.", Required = true };

    private static Command List()
    {
        var dir = DirOption();
        var command = new Command("list", "List completed checkpoints with their size, operators and whether they are final.") { dir };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var store = new LocalCheckpointStore(DataDirectories.RequireExisting(parse.GetValue(dir)!, "checkpoint directory"));
            var completed = await store.ListCompletedAsync(cancellationToken);
            if (completed.Count == 0)
            {
                Console.WriteLine($"No completed checkpoint in {store.Location}.");
                return 0;
            }
            var table = new Table().AddColumns("id", "created (UTC)", "final", "operators", "blobs", "bytes");
            foreach (var id in completed)
            {
                using var manifest = JsonDocument.Parse(await store.ReadManifestAsync(id, cancellationToken));
                var root = manifest.RootElement;
                var blobs = root.GetProperty("blobs").EnumerateArray().ToList();
                table.AddRow(
                    id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    EventTime.Format(root.GetProperty("createdMs").GetInt64()),
                    root.GetProperty("final").GetBoolean() ? "yes" : "no",
                    blobs.Select(b => b.GetProperty("uid").GetString()).Distinct().Count().ToString(System.Globalization.CultureInfo.InvariantCulture),
                    blobs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    blobs.Sum(b => b.GetProperty("bytes").GetInt64()).ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
            var incomplete = await store.ListIncompleteAsync(cancellationToken);
            if (incomplete.Count > 0)
            {
                Console.WriteLine($"Incomplete (ignored, deleted by the next checkpoint): {string.Join(", ", incomplete)}");
            }
            return 0;
        });
        return command;
    }

    private static Command Savepoint()
    {
        var dir = DirOption();
        var to = new Option<string>("--to") { Description = "Directory to copy the savepoint into (retention never deletes it).", Required = true };
        var id = new Option<long?>("--id") { Description = "Checkpoint id to copy (at least 1; default: the latest completed)." }.MustBeAtLeast(1);
        var command = new Command("savepoint", "Copy a completed checkpoint into its own directory; start a job from it by using that directory as its checkpoint directory.")
        {
            dir, to, id,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var source = DataDirectories.RequireExisting(parse.GetValue(dir)!, "checkpoint directory");
                var target = DataDirectories.CreateWritable(parse.GetValue(to)!, "savepoint directory");
                var copied = await Savepoints.CopyAsync(new LocalCheckpointStore(source), new LocalCheckpointStore(target), parse.GetValue(id), cancellationToken);
                Console.WriteLine($"Savepoint of checkpoint #{copied} written to {Path.GetFullPath(parse.GetValue(to)!)}.");
                return 0;
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
