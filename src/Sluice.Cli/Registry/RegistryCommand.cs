using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Sluice.SchemaRegistry.Server;
using Spectre.Console;

namespace Sluice.Cli.Registry;

/// <summary>
/// <c>sluice registry [--data-dir D] [--port P] [--listen A] [--token-file F]</c> runs the schema registry standalone
/// until Ctrl+C or SIGTERM; <c>sluice registry subjects|versions|check</c> call a running registry at <c>--url</c>
/// (docs/schema-registry.md, "CLI"). Failures print one sentence and exit 1; <c>check</c> exits 1 when incompatible.
/// </summary>
internal static class RegistryCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The registry's data directory (its schemas are in the embedded log's topic _schemas under log/).", DefaultValueFactory = _ => "sluice-registry" };
        var port = new Option<int>("--port") { Description = "The TCP port to listen on (0: any free port).", DefaultValueFactory = _ => 8082 }.MustBeBetween(0, IPEndPoint.MaxPort);
        var listen = new Option<string>("--listen") { Description = "The address to listen on; anything but loopback needs --token-file.", DefaultValueFactory = _ => "127.0.0.1" };
        listen.Validators.Add(r =>
        {
            if (!IPAddress.TryParse(r.GetValueOrDefault<string>(), out _))
            {
                r.AddError($"--listen '{r.GetValueOrDefault<string>()}' is not an IP address: give one such as 127.0.0.1 or 0.0.0.0.");
            }
        });
        var tokenFile = new Option<FileInfo?>("--token-file") { Description = "A file holding the token that writes (and reads from other machines) need; none by default." };
        var command = new Command("registry", "Run the schema registry (Confluent's REST API) standalone, or list and check a running registry's subjects.")
        {
            dataDir, port, listen, tokenFile,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var directory = DataDirectories.CreateWritable(parse.GetValue(dataDir)!, "registry data directory");
            string? token = null;
            if (parse.GetValue(tokenFile) is { } file)
            {
                if (!file.Exists)
                {
                    throw new CommandFailedException($"The token file '{file.FullName}' does not exist: create it with one line holding the token, or leave out --token-file.");
                }
                token = File.ReadAllText(file.FullName).Trim();
                if (token.Length < 16)
                {
                    throw new CommandFailedException($"The token in '{file.FullName}' is shorter than 16 characters: use a long random one.");
                }
            }
            var options = new SchemaRegistryServerOptions
            {
                DataDirectory = directory,
                Port = parse.GetValue(port),
                ListenAddress = IPAddress.Parse(parse.GetValue(listen)!),
                Token = token,
                LoggerFactory = CommandLineHost.LoggerFactory(parse),
            };
            SchemaRegistryServer server;
            try
            {
                server = await SchemaRegistryServer.StartAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new CommandFailedException($"The registry cannot start on {options.ListenAddress}:{options.Port} ({e.Message.TrimEnd('.')}).", e);
            }
            catch (ArgumentException e)
            {
                throw new CommandFailedException(e.Message.Split(" (Parameter")[0], e);
            }
            await using (server.ConfigureAwait(false))
            {
                Console.WriteLine($"Sluice schema registry listening on {server.BaseAddress} (data directory {directory}{(token is null ? "" : "; writes need the token")}).");
                Console.WriteLine("Press Ctrl+C to stop.");
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                }
                Console.WriteLine("Stopping the registry…");
            }
            return 0;
        });

        var url = new Option<string>("--url")
        {
            Description = $"The registry's URL (default {RegistryApi.DefaultUrl}; a server's is http://127.0.0.1:8081/registry).",
            DefaultValueFactory = _ => RegistryApi.DefaultUrl,
        };
        url.Validators.Add(r =>
        {
            var text = r.GetValueOrDefault<string>();
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                r.AddError($"--url '{text}' is not an http(s) URL: give one such as {RegistryApi.DefaultUrl}.");
            }
        });
        var apiToken = new Option<string?>("--token") { Description = $"The token for calls that need one (default: ${Jobs.ServerApi.TokenVariable})." };
        RegistryApi Api(ParseResult parse) =>
            new(new Uri(parse.GetValue(url)!), parse.GetValue(apiToken) ?? Environment.GetEnvironmentVariable(Jobs.ServerApi.TokenVariable));
        command.Subcommands.Add(CreateSubjects(url, apiToken, Api));
        command.Subcommands.Add(CreateVersions(url, apiToken, Api));
        command.Subcommands.Add(CreateCheck(url, apiToken, Api));
        return command;
    }

    private static Command CreateSubjects(Option<string> url, Option<string?> token, Func<ParseResult, RegistryApi> connect)
    {
        var command = new Command("subjects", "List the registry's subjects with their latest version.") { url, token };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = connect(parse);
            var subjects = (await api.GetAsync("subjects", cancellationToken).ConfigureAwait(false)).AsArray();
            var table = new Table().AddColumns("subject", "versions", "latest", "id", "type");
            foreach (var subject in subjects.Select(s => s!.GetValue<string>()))
            {
                var versions = (await api.GetAsync($"subjects/{RegistryApi.Segment(subject)}/versions", cancellationToken).ConfigureAwait(false)).AsArray();
                var latest = await api.GetAsync($"subjects/{RegistryApi.Segment(subject)}/versions/latest", cancellationToken).ConfigureAwait(false);
                table.AddRow(Cells(subject, versions.Count.ToString(CultureInfo.InvariantCulture), Text(latest["version"]), Text(latest["id"]), Type(latest)));
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command CreateVersions(Option<string> url, Option<string?> token, Func<ParseResult, RegistryApi> connect)
    {
        var subject = new Argument<string>("subject") { Description = "The subject, such as orders-value." };
        var command = new Command("versions", "List a subject's versions: number, id, type and schema.") { subject, url, token };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = connect(parse);
            var name = parse.GetValue(subject)!;
            var versions = (await api.GetAsync($"subjects/{RegistryApi.Segment(name)}/versions", cancellationToken).ConfigureAwait(false)).AsArray();
            var table = new Table().AddColumns("version", "id", "type", "schema");
            foreach (var version in versions)
            {
                var found = await api.GetAsync($"subjects/{RegistryApi.Segment(name)}/versions/{Text(version)}", cancellationToken).ConfigureAwait(false);
                table.AddRow(Cells(Text(found["version"]), Text(found["id"]), Type(found), Text(found["schema"])));
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command CreateCheck(Option<string> url, Option<string?> token, Func<ParseResult, RegistryApi> connect)
    {
        var subject = new Argument<string>("subject") { Description = "The subject to check against." };
        var file = new Argument<FileInfo>("schema-file") { Description = "The candidate schema (an .avsc or a JSON Schema file)." };
        var type = new Option<string>("--type") { Description = "The schema's type: AVRO or JSON.", DefaultValueFactory = _ => "AVRO" };
        type.AcceptOnlyFromAmong("AVRO", "JSON", "avro", "json");
        var command = new Command("check", "Check a schema file against a subject's versions under the subject's compatibility level; exits 1 when incompatible.")
        {
            subject, file, type, url, token,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var schemaFile = parse.GetValue(file)!;
            if (!schemaFile.Exists)
            {
                throw new CommandFailedException($"The schema file '{schemaFile.FullName}' does not exist.");
            }
            var name = parse.GetValue(subject)!;
            var body = new JsonObject
            {
                ["schema"] = await File.ReadAllTextAsync(schemaFile.FullName, cancellationToken).ConfigureAwait(false),
                ["schemaType"] = parse.GetValue(type)!.ToUpperInvariant(),
            };
            using var api = connect(parse);
            var answer = await api.PostAsync($"compatibility/subjects/{RegistryApi.Segment(name)}/versions?verbose=true", body, cancellationToken).ConfigureAwait(false);
            if (answer["is_compatible"]?.GetValue<bool>() == true)
            {
                Console.WriteLine($"{schemaFile.Name} is compatible with subject '{name}'.");
                return 0;
            }
            Console.WriteLine($"{schemaFile.Name} is incompatible with subject '{name}':");
            foreach (var message in answer["messages"]?.AsArray() ?? [])
            {
                Console.WriteLine($"- {Text(message)}");
            }
            return 1;
        });
        return command;
    }

    private static string Text(JsonNode? node) => node is null ? "" : node is JsonValue v && v.TryGetValue(out string? s) ? s : node.ToJsonString();

    private static string Type(JsonNode found) => found["schemaType"] is { } t ? Text(t) : "AVRO";

    private static Markup[] Cells(params string[] values) => [.. values.Select(v => new Markup(Markup.Escape(v)))];
}
