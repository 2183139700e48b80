using System.Diagnostics;
using System.Net;
using System.Text;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice registry</c> as a user runs it: the standalone registry as a child process (stopped with SIGTERM),
/// and the subjects, versions and check commands against it.</summary>
public sealed class RegistryCommandTests
{
    private const string Order = """{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}""";
    private const string OrderWithNote = """{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"note","type":["null","string"],"default":null}]}""";

    [Fact]
    public async Task Registry_Standalone_ServesSubjectsVersionsCheck_AndStopsOnSigterm()
    {
        var directory = Directory.CreateTempSubdirectory("sluice-registry-cli-").FullName;
        try
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "sluice.dll"), "registry", "--data-dir", Path.Combine(directory, "data"), "--port", "0" })
            {
                info.ArgumentList.Add(arg);
            }
            info.Environment["NO_COLOR"] = "1";
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var output = new StringBuilder();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                Uri? address = null;
                while (address is null)
                {
                    var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                        ?? throw new InvalidOperationException($"sluice registry exited before listening: {output}{await stderr}");
                    output.AppendLine(line);
                    const string prefix = "Sluice schema registry listening on ";
                    if (line.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        address = new Uri(line[prefix.Length..line.IndexOf(' ', prefix.Length)]);
                    }
                }
                using (var client = new HttpClient { BaseAddress = address })
                {
                    (await Post(client, "subjects/orders-value/versions", $$"""{"schema":{{Quote(Order)}}}""")).ShouldBe("""{"id":1}""");
                    await Put(client, "config/orders-value", """{"compatibility":"NONE"}""");
                    (await Post(client, "subjects/orders-value/versions", $$"""{"schema":{{Quote(OrderWithNote)}}}""")).ShouldBe("""{"id":2}""");
                }
                string url = address.ToString();

                var subjects = CliProcess.Run(null, "registry", "subjects", "--url", url);
                subjects.ExitCode.ShouldBe(0, subjects.Stderr);
                subjects.Stdout.ShouldContain("orders-value");
                subjects.Stdout.ShouldContain("AVRO");

                var versions = CliProcess.Run(null, "registry", "versions", "orders-value", "--url", url);
                versions.ExitCode.ShouldBe(0, versions.Stderr);
                versions.Stdout.ShouldContain("\"note\"");

                var schemaFile = Path.Combine(directory, "order.avsc");
                await File.WriteAllTextAsync(schemaFile, Order);
                var check = CliProcess.Run(null, "registry", "check", "orders-value", schemaFile, "--url", url);
                check.ExitCode.ShouldBe(0, check.Stderr);
                check.Stdout.ShouldBe("order.avsc is compatible with subject 'orders-value'.\n");

                var missing = CliProcess.Run(null, "registry", "versions", "nope", "--url", url);
                missing.ExitCode.ShouldBe(1);
                missing.Stderr.ShouldBe("error: Subject 'nope' not found (error 40401).\n");

                using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    await kill.WaitForExitAsync(timeout.Token);
                }
                output.Append(await process.StandardOutput.ReadToEndAsync(timeout.Token));
                await process.WaitForExitAsync(timeout.Token);
                process.ExitCode.ShouldBe(0, await stderr);
                output.ToString().ShouldContain("Stopping the registry");
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Subjects_NoRegistryListening_SaysUnreachableInOneSentence()
    {
        var result = CliProcess.Run(null, "registry", "subjects", "--url", "http://127.0.0.1:9");

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldStartWith("error: The schema registry at http://127.0.0.1:9/ is unreachable (");
        result.Stderr.ShouldEndWith("start it with 'sluice registry' (or 'sluice server', then pass --url http://127.0.0.1:8081/registry).\n");
    }

    [Fact]
    public void Registry_ListenElsewhereWithoutToken_Refuses()
    {
        var directory = Directory.CreateTempSubdirectory("sluice-registry-cli-").FullName;
        try
        {
            var result = CliProcess.Run(null, "registry", "--data-dir", directory, "--listen", "0.0.0.0", "--port", "0");

            result.ExitCode.ShouldBe(1);
            result.Stderr.ShouldBe("error: The registry would listen on 0.0.0.0, which is not a loopback address, without a token: give one (--token-file) or listen on 127.0.0.1.\n");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static async Task<string> Post(HttpClient client, string path, string body)
    {
        using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/vnd.schemaregistry.v1+json"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task Put(HttpClient client, string path, string body)
    {
        using var response = await client.PutAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
