using System.Net.Http.Json;
using System.Text.Json;

namespace Sluice.Server.Tests.Jobs;

/// <summary>Calls of the job API the tests share: submit a body, read a job, wait for a condition with a deadline.</summary>
internal static class JobApi
{
    /// <summary>A script whose job runs until stopped: 20 generated rows a second into a blackhole.</summary>
    public const string EndlessSql = """
        CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '20', 'seed' = '7');
        CREATE TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');
        INSERT INTO sink SELECT id FROM gen;
        """;

    public static Task<HttpResponseMessage> SubmitAsync(HttpClient client, object body) => client.PostAsJsonAsync("/api/jobs", body);

    /// <summary>Submits <paramref name="body"/>, checks the 201 and returns the new job's id.</summary>
    public static async Task<string> SubmitOkAsync(HttpClient client, object body)
    {
        using var response = await SubmitAsync(client, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created, text);
        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    public static async Task<JsonElement> GetJobAsync(HttpClient client, string id)
    {
        var text = await client.GetStringAsync($"/api/jobs/{id}");
        using var json = JsonDocument.Parse(text);
        return json.RootElement.Clone();
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.Clone();
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after <paramref name="seconds"/>.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {seconds} s for {what}; last value: {value}");
            }
            await Task.Delay(25); // a poll interval, not a wait for an effect: the loop ends on the condition
        }
    }

    /// <summary>Waits until the job's status is <paramref name="status"/>.</summary>
    public static Task<JsonElement> WaitForStatusAsync(HttpClient client, string id, string status) =>
        EventuallyAsync(() => GetJobAsync(client, id), job => job.GetProperty("status").GetString() == status, $"job {id} to be {status}");
}
