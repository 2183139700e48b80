using System.Text.Json.Serialization;

namespace Sluice.Plans;

/// <summary>What an operator of a plan does: the DataStream API call that added it. The JSON names are part of plan version 1.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OperatorKind>))]
public enum OperatorKind
{
    /// <summary>A source (<c>FromSource</c>, <c>FromCollection</c>, a connector's source).</summary>
    [JsonStringEnumMemberName("source")]
    Source,

    /// <summary><c>Map</c>.</summary>
    [JsonStringEnumMemberName("map")]
    Map,

    /// <summary><c>Filter</c>.</summary>
    [JsonStringEnumMemberName("filter")]
    Filter,

    /// <summary><c>FlatMap</c>.</summary>
    [JsonStringEnumMemberName("flatMap")]
    FlatMap,

    /// <summary>A non-keyed <c>Process</c> function.</summary>
    [JsonStringEnumMemberName("process")]
    Process,

    /// <summary>A keyed <c>Process</c> function (also <c>Deduplicate</c>).</summary>
    [JsonStringEnumMemberName("keyedProcess")]
    KeyedProcess,

    /// <summary>A keyed window (<c>Window(…).Aggregate/Reduce/Process</c>).</summary>
    [JsonStringEnumMemberName("window")]
    Window,

    /// <summary>A keyed two-input function: <c>Connect(…).Process</c> or an interval join.</summary>
    [JsonStringEnumMemberName("keyedCoProcess")]
    KeyedCoProcess,

    /// <summary>An operator added with <c>DataStream.Transform</c>.</summary>
    [JsonStringEnumMemberName("transform")]
    Transform,

    /// <summary>A keyed operator added with <c>KeyedStream.Transform</c>.</summary>
    [JsonStringEnumMemberName("keyedTransform")]
    KeyedTransform,

    /// <summary>A keyed two-input operator added with <c>ConnectedKeyedStreams.Transform</c>.</summary>
    [JsonStringEnumMemberName("keyedTwoInputTransform")]
    KeyedTwoInputTransform,

    /// <summary>A sink.</summary>
    [JsonStringEnumMemberName("sink")]
    Sink,
}
