using System.Text.Json.Nodes;
using Sluice.Lineage;

namespace Sluice.Lineage.Tests;

public sealed class RunEventJsonTests
{
    private static readonly Guid s_runId = Guid.Parse("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
    private static readonly Guid s_parentId = Guid.Parse("0193a1b2-0000-7000-8000-000000000001");

    [Theory]
    [InlineData("job")]
    [InlineData("run")]
    public void Deserialize_RequiredObjectIsNull_ThrowsJsonException(string member)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(LineageJson.Serialize(FileLineageEmitterTests.Event(RunEventType.Start, "job-n")))!.AsObject();
        json[member] = null;

        Should.Throw<System.Text.Json.JsonException>(() => LineageJson.Deserialize(json.ToJsonString()));
    }

    [Fact]
    public void Serialize_FailEventWithEveryFacet_HasTheSpecShape()
    {
        var runEvent = new RunEvent
        {
            EventType = RunEventType.Fail,
            EventTime = new DateTimeOffset(2026, 12, 6, 22, 30, 0, 125, TimeSpan.Zero),
            Run = new LineageRun
            {
                RunId = s_runId,
                Facets = new RunFacets
                {
                    Parent = ParentRunFacet.Of(s_parentId, new LineageJob { Namespace = "default", Name = "jaffle_shop" }),
                    ErrorMessage = new ErrorMessageRunFacet { Message = "division by zero", StackTrace = "at x" },
                    NominalTime = new NominalTimeRunFacet { NominalStartTime = new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero) },
                },
            },
            Job = LineageJobNames.Job("default", "jaffle_shop.orders", ProcessingType.Batch, LineageJobTypes.Model, "select 1 as id"),
            Inputs = [DatasetNames.Postgres("DB.example", null, "shop", "public", "raw_orders")],
            Outputs = [DatasetNames.DuckDb("/data/warehouse.duckdb", "main", "orders").WithSchema([new SchemaField("id", "INTEGER"), new SchemaField("note", null)])],
        };

        var expected = """
        {
          "eventType": "FAIL",
          "eventTime": "2026-12-06T22:30:00.125+00:00",
          "run": {
            "runId": "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
            "facets": {
              "parent": {
                "_producer": "https://sluice.invalid/openlineage/1.0",
                "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/ParentRunFacet.json#/$defs/ParentRunFacet",
                "run": { "runId": "0193a1b2-0000-7000-8000-000000000001" },
                "job": { "namespace": "default", "name": "jaffle_shop" }
              },
              "errorMessage": {
                "_producer": "https://sluice.invalid/openlineage/1.0",
                "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
                "message": "division by zero",
                "programmingLanguage": "C#",
                "stackTrace": "at x"
              },
              "nominalTime": {
                "_producer": "https://sluice.invalid/openlineage/1.0",
                "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/NominalTimeRunFacet.json#/$defs/NominalTimeRunFacet",
                "nominalStartTime": "2026-12-06T00:00:00+00:00"
              }
            }
          },
          "job": {
            "namespace": "default",
            "name": "jaffle_shop.orders",
            "facets": {
              "jobType": {
                "_producer": "https://sluice.invalid/openlineage/1.0",
                "_schemaURL": "https://openlineage.io/spec/facets/2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
                "processingType": "BATCH",
                "integration": "SLUICE",
                "jobType": "MODEL"
              },
              "sql": {
                "_producer": "https://sluice.invalid/openlineage/1.0",
                "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/SQLJobFacet.json#/$defs/SQLJobFacet",
                "query": "select 1 as id"
              }
            }
          },
          "inputs": [
            { "namespace": "postgres://db.example:5432", "name": "shop.public.raw_orders", "facets": {} }
          ],
          "outputs": [
            {
              "namespace": "duckdb:///data/warehouse.duckdb",
              "name": "main.orders",
              "facets": {
                "schema": {
                  "_producer": "https://sluice.invalid/openlineage/1.0",
                  "_schemaURL": "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
                  "fields": [ { "name": "id", "type": "INTEGER" }, { "name": "note" } ]
                }
              }
            }
          ],
          "producer": "https://sluice.invalid/openlineage/1.0",
          "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
        }
        """;

        var json = LineageJson.Serialize(runEvent);

        json.ShouldNotContain('\n');
        JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(expected)).ShouldBeTrue($"got {json}");
    }

    [Fact]
    public void Serialize_StartEventWithoutFacets_LeavesNullFacetsOut()
    {
        var json = LineageJson.Serialize(new RunEvent
        {
            EventType = RunEventType.Start,
            EventTime = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            Run = new LineageRun { RunId = s_runId },
            Job = new LineageJob { Namespace = "ns", Name = "clicks" },
        });

        json.ShouldBe("""{"eventType":"START","eventTime":"2026-01-02T03:04:05+00:00","run":{"runId":"0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","facets":{}},"job":{"namespace":"ns","name":"clicks","facets":{}},"inputs":[],"outputs":[],"producer":"https://sluice.invalid/openlineage/1.0","schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"}""");
    }

    [Fact]
    public void Deserialize_WhatSerializeWrote_IsEqualDataAndIgnoresUnknownFacets()
    {
        var original = new RunEvent
        {
            EventType = RunEventType.Complete,
            EventTime = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            Run = new LineageRun { RunId = s_runId },
            Job = LineageJobNames.Job("ns", "job", ProcessingType.Streaming, LineageJobTypes.Job),
            Inputs = [DatasetNames.Kafka("broker:9093", "clicks")],
        };
        var json = LineageJson.Serialize(original).Replace("\"facets\":{}", "\"facets\":{\"custom\":{\"x\":1}}", StringComparison.Ordinal);

        var read = LineageJson.Deserialize(json);

        read.EventType.ShouldBe(RunEventType.Complete);
        read.Run.RunId.ShouldBe(s_runId);
        read.Job.Facets.JobType!.ProcessingType.ShouldBe(ProcessingType.Streaming);
        read.Inputs.Single().ToString().ShouldBe("kafka://broker:9093/clicks");
        LineageJson.Serialize(read).ShouldBe(LineageJson.Serialize(original));
    }

    [Fact]
    public void NewRunId_IsUuidVersion7()
    {
        var id = LineageRun.NewRunId();

        id.Version.ShouldBe(7);
    }
}
