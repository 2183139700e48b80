using Sluice.SchemaRegistry.Tests.Support;

namespace Sluice.SchemaRegistry.Tests;

/// <summary>The registry's state in _schemas: survives restarts, ids never reused, one id per schema under concurrency.</summary>
public sealed class StorageTests
{
    [Fact]
    public async Task Restart_KeepsIdsVersionsAndConfig()
    {
        var registry = await RegistryHarness.StartAsync();
        string directory = registry.DataDirectory;
        await registry.PutAsync("/config", """{"compatibility":"NONE"}""");
        int order1 = await registry.RegisterAsync("orders-value", TestSchemas.OrderV1);
        int order2 = await registry.RegisterAsync("orders-value", TestSchemas.OrderV2);
        int person = await registry.RegisterAsync("people-value", TestSchemas.JsonPerson, "JSON");
        await registry.PutAsync("/config/people-value", """{"compatibility":"FULL"}""");

        await using var restarted = await registry.RestartAsync();
        try
        {
            (order1, order2, person).ShouldBe((1, 2, 3));
            (await restarted.GetAsync("/subjects")).Body!.ToJsonString().ShouldBe("""["orders-value","people-value"]""");
            (await restarted.GetAsync("/subjects/orders-value/versions")).Body!.ToJsonString().ShouldBe("[1,2]");
            var latest = (await restarted.GetAsync("/subjects/orders-value/versions/latest")).Body!;
            (latest["version"]!.GetValue<int>(), latest["id"]!.GetValue<int>(), latest["schema"]!.GetValue<string>()).ShouldBe((2, 2, TestSchemas.OrderV2));
            (await restarted.GetAsync("/schemas/ids/3")).Body!["schemaType"]!.GetValue<string>().ShouldBe("JSON");
            (await restarted.GetAsync("/config/people-value")).Body!["compatibilityLevel"]!.GetValue<string>().ShouldBe("FULL");
            (await restarted.GetAsync("/config")).Body!["compatibilityLevel"]!.GetValue<string>().ShouldBe("NONE");
            (await restarted.RegisterAsync("orders-value", TestSchemas.OrderV1)).ShouldBe(1);
            (await restarted.RegisterAsync("orders-value", TestSchemas.OrderV3)).ShouldBe(4);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task HardDeleteOfTheHighestId_ThenRestart_NextRegistrationGetsANewId()
    {
        var registry = await RegistryHarness.StartAsync();
        string directory = registry.DataDirectory;
        (await registry.RegisterAsync("a-value", TestSchemas.OrderV1)).ShouldBe(1);
        (await registry.RegisterAsync("b-value", TestSchemas.Customer)).ShouldBe(2);
        (await registry.DeleteAsync("/subjects/b-value")).Status.ShouldBe(200);
        (await registry.DeleteAsync("/subjects/b-value?permanent=true")).Status.ShouldBe(200);
        var gone = await registry.GetAsync("/schemas/ids/2");
        (gone.Status, RegistryHarness.ErrorCode(gone.Body)).ShouldBe((404, 40403));

        await using var restarted = await registry.RestartAsync();
        try
        {
            (await restarted.RegisterAsync("c-value", TestSchemas.JsonPerson, "JSON")).ShouldBe(3);
            (await restarted.RegisterAsync("b-value", TestSchemas.Customer)).ShouldBe(4);
            (await restarted.GetAsync("/subjects/b-value/versions")).Body!.ToJsonString().ShouldBe("[1]");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task ConcurrentRegistrationsOfOneSchema_ReturnOneIdAndOneVersion()
    {
        await using var registry = await RegistryHarness.StartAsync();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, 16).Select(async i =>
        {
            await start.Task;
            return await registry.RegisterAsync(i % 2 == 0 ? "orders-value" : "orders-copy", TestSchemas.OrderV1);
        }).ToList();

        start.SetResult();
        int[] ids = await Task.WhenAll(tasks);

        ids.Distinct().ShouldBe([1]);
        (await registry.GetAsync("/subjects/orders-value/versions")).Body!.ToJsonString().ShouldBe("[1]");
        (await registry.GetAsync("/subjects/orders-copy/versions")).Body!.ToJsonString().ShouldBe("[1]");
    }

    [Fact]
    public async Task Latest_FollowsRegistrationsAndSoftDeletes_AndChangesCountsEveryWriteOnly()
    {
        await using var registry = await RegistryHarness.StartAsync();
        var store = registry.Server.Store;
        await registry.PutAsync("/config", """{"compatibility":"NONE"}""");
        store.Latest("orders-value").ShouldBeNull();
        var start = store.Changes;

        await registry.RegisterAsync("orders-value", TestSchemas.OrderV1);
        var afterV1 = store.Changes;
        var v1 = store.Latest("orders-value")!;
        await registry.RegisterAsync("orders-value", TestSchemas.OrderV2);
        var afterV2 = store.Changes;
        var v2 = store.Latest("orders-value")!;
        await registry.RegisterAsync("orders-value", TestSchemas.OrderV1);
        var afterReRegister = store.Changes;
        (await registry.DeleteAsync("/subjects/orders-value/versions/2")).Status.ShouldBe(200);
        var afterDelete = store.Changes;

        (v1.Subject, v1.Version, v1.Id, v1.Schema.Type).ShouldBe(("orders-value", 1, 1, Schemas.SchemaType.Avro));
        (v2.Version, v2.Id).ShouldBe((2, 2));
        afterV1.ShouldBe(start + 1);
        afterV2.ShouldBe(afterV1 + 1);
        afterReRegister.ShouldBe(afterV2, "a schema already registered under the subject writes nothing");
        afterDelete.ShouldBe(afterV2 + 1);
        store.Latest("orders-value")!.Version.ShouldBe(1, "the soft-deleted version 2 is not the latest");
        store.Latest("people-value").ShouldBeNull();
    }
}
