using System.Net.Http.Headers;
using System.Text;
using Sluice.Server;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice dlq --server</c> against a real server (in this process, loopback) whose HTTP ingest dead-lettered records.</summary>
public sealed class DlqServerCommandTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-cli-dlq-").FullName;
    private SluiceServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await SluiceServer.StartAsync(new SluiceServerOptions { DataDirectory = Path.Combine(_directory, "data"), Port = 0 });
        using var http = new HttpClient { BaseAddress = _server.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _server.Token);
        using var body = new StringContent("{\"a\":1}\nnot json\n{\"a\":3}\n[1]\n", Encoding.UTF8, "application/x-ndjson");
        using var response = await http.PostAsync("/ingest/events?dlq=true&create=true", body);
        response.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void ListShowReplay_ThroughTheRestApi_SameAnswersAsTheLogAndReplayIsIdempotent()
    {
        var noToken = new Dictionary<string, string?> { ["SLUICE_TOKEN"] = null };
        var withToken = new Dictionary<string, string?> { ["SLUICE_TOKEN"] = _server.Token };

        var list = Run(noToken, "list");
        list.Stdout.ShouldContain("events.dlq");
        list.Stdout.ShouldContain("parse 2");

        var show = Run(noToken, "show", "events", "--json");
        show.Stdout.ShouldContain("\"payload\":\"not json\"");
        show.Stdout.ShouldContain("\"origin\":\"ingest\"");

        var refused = CliProcess.Run(TimeSpan.FromSeconds(120), null, noToken, ["dlq", "replay", "events", "--offsets", "0:0", "--server", _server.Address.ToString()]);
        refused.ExitCode.ShouldBe(1);
        refused.Stderr.ShouldContain("needs its API token");

        Run(withToken, "replay", "events", "--offsets", "0:0").Stdout.ShouldContain("Appended 1 record; 0 records already replayed, skipped.");
        Run(withToken, "replay", "events", "--all").Stdout.ShouldContain("Appended 1 record; 1 record already replayed, skipped.");
        Run(withToken, "replay", "events", "--all", "--dry-run").Stdout.ShouldContain("Dry run: would append 0 records; 2 records already replayed; nothing was appended.");
    }

    private CliProcess.Result Run(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var result = CliProcess.Run(TimeSpan.FromSeconds(120), null, environment, ["dlq", .. args, "--server", _server.Address.ToString()]);
        result.ExitCode.ShouldBe(0, result.Stderr);
        return result;
    }
}
