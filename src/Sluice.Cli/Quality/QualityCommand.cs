using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sluice.Cli.Jobs;
using Sluice.Cli.Log;
using Sluice.Connectors.Log;
using Sluice.Log;
using Sluice.Server.Quality;
using Spectre.Console;

namespace Sluice.Cli.Quality;

/// <summary>
/// <c>sluice quality report --job J</c>: a job's data-quality report (<see cref="QualityReport"/>) — per rule passed,
/// failed, action and pass rate, per window, and the first failing records. With <c>--server URL</c> it asks the
/// server (<c>GET /api/jobs/{job}/quality</c>), which has the running job's live counts; without, it reads the dead-letter
/// topics of the embedded log of <c>--data-dir</c>, which know only the failures the job dead-lettered. Both build the
/// report with <see cref="QualityReport.Build"/>. Failures print one sentence and exit 1.
/// </summary>
internal static class QualityCommand
{
    public static Command Create()
    {
        var dataDir = ServerApi.LocalDataDirectoryOption();
        var server = new Option<string?>("--server") { Description = "Ask this Sluice server (e.g. http://127.0.0.1:8081): it has the job's live pass and fail counts.", Recursive = true };
        var token = new Option<string?>("--token") { Description = $"The server's API token (default: ${ServerApi.TokenVariable}).", Recursive = true };
        ServerApi.ValidateServerUrl(server);
        var quality = new Command("quality", "Data quality: a job's rule counts, pass rates and failing records.") { dataDir, server, token };

        var job = new Option<string>("--job") { Description = "The job: its server id or name (with --server), or the name its dead letters carry (local).", Required = true };
        var examples = new Option<int>("--examples") { Description = $"Failing records to show per rule (default {QualityReport.DefaultExamples}, at most {QualityReport.MaxExamples}).", DefaultValueFactory = _ => QualityReport.DefaultExamples };
        examples.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > QualityReport.MaxExamples)
            {
                r.AddError($"--examples must be 0-{QualityReport.MaxExamples}.");
            }
        });
        var json = new Option<bool>("--json") { Description = "Print the report as one JSON object (the REST API's answer)." };
        var report = new Command("report", "Per rule: passed, failed, action, pass rate per minute, and the first failing records from the job's dead-letter topics.") { job, examples, json };
        report.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(job)!;
            QualityReport answer;
            if (parse.GetValue(server) is { } url)
            {
                using var api = new ServerApi(new Uri(url), parse.GetValue(token) ?? Environment.GetEnvironmentVariable(ServerApi.TokenVariable));
                answer = await api.GetAsync<QualityReport>($"/api/jobs/{Uri.EscapeDataString(name)}/quality?examples={parse.GetValue(examples).ToString(CultureInfo.InvariantCulture)}", cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var directory = parse.GetValue(dataDir) ?? LogCommands.DefaultDataDirectory;
                var full = DataDirectories.RequireExisting(directory, "log data directory");
                PartitionedLog log;
                try
                {
                    log = PartitionedLog.Open(full, new LogOptions
                    {
                        MaintenanceInterval = null,
                        ReadOnly = true,
                        Logger = CommandLineHost.LoggerFactory(parse).CreateLogger("Sluice.Log"),
                    });
                }
                catch (UnauthorizedAccessException e)
                {
                    throw new CommandFailedException($"The log data directory '{directory}' is not writable ({e.Message.TrimEnd('.')}): the log needs to lock it, even to read.", e);
                }
                using (log)
                {
                    answer = QualityReport.Build(name, null, new DeadLetterQueue(log), parse.GetValue(examples));
                }
            }
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(answer, JsonSerializerOptions.Web));
                return 0;
            }
            Print(answer);
            return 0;
        });
        quality.Subcommands.Add(report);
        return quality;
    }

    private static void Print(QualityReport report)
    {
        if (report.Rules.Count == 0)
        {
            Console.WriteLine(report.JobId is null
                ? $"Job '{report.Job}' dead-lettered no rule failures in this log. Pass and fail counts of a running job: add --server."
                : $"Job '{report.Job}' ({report.JobId}) has no data-quality rules, or none has judged a record yet.");
            return;
        }
        Console.WriteLine(report.JobId is null
            ? $"Job '{report.Job}': rule failures from its dead letters (passes are counted by the running job only: add --server for them)."
            : $"Job '{report.Job}' ({report.JobId}): live rule counts; windows are minutes of processing time.");
        if (!report.DeadLettersComplete)
        {
            Console.WriteLine($"A dead-letter topic holds more than {DeadLetterQueue.MaxScannedRecords.ToString("N0", CultureInfo.InvariantCulture)} records: dead-letter counts and examples cover its oldest ones.");
        }
        var table = new Table().AddColumns("operator", "rule", "kind", "action", "passed", "failed", "pass rate", "dead letters", "last windows (UTC minute: pass rate or failed)");
        foreach (var rule in report.Rules)
        {
            table.AddRow(Cells(
                rule.Operator,
                rule.Rule,
                rule.Kind ?? "",
                rule.Action ?? "",
                rule.Passed is { } passed ? Number(passed) : "?",
                Number(rule.Failed),
                Rate(rule.PassRate),
                Number(rule.DeadLetters),
                string.Join(Environment.NewLine, rule.Windows.TakeLast(5).Select(w =>
                    $"{DateTimeOffset.FromUnixTimeMilliseconds(w.StartMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}: {(w.PassRate is { } r ? Rate(r) : Number(w.Failed) + " failed")}"))));
        }
        AnsiConsole.Write(table);
        foreach (var rule in report.Rules)
        {
            if (rule.Examples.Count == 0)
            {
                continue;
            }
            Console.WriteLine($"First failing records of rule '{rule.Rule}' ({rule.Operator}):");
            foreach (var example in rule.Examples)
            {
                Console.WriteLine($"  {example.Partition}:{example.Offset} (meant for {example.OriginTopic})  {example.Reason}");
                Console.WriteLine($"    {Shorten(example.Payload ?? "", 160)}");
            }
        }
    }

    private static string Rate(double? rate) => rate is { } r ? (r * 100).ToString("0.##", CultureInfo.InvariantCulture) + " %" : "";

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static Spectre.Console.Rendering.IRenderable[] Cells(params string[] values) => [.. values.Select(v => new Text(v))];
}
