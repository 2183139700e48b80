using Sluice.Connectors.Log.Tests.Support;
using Sluice.Formats;

namespace Sluice.Connectors.Log.Tests;

/// <summary>The log source and sink name their topic for lineage as <c>sluice://{data directory}</c> / topic.</summary>
public sealed class LogLineageTests
{
    [Fact]
    public void GetLineageDatasets_SourceAndSink_NameTheTopicUnderTheLogsDataDirectory()
    {
        using var temp = new TempLog();
        temp.CreateTopic("clicks", 2);
        var source = new LogSource<string>(temp.Log, "clicks", MessageDeserializers.Utf8String());
        var sink = new LogSink<string>(temp.Log, "clicks", MessageSerializers.Utf8String());

        var expected = ("sluice://" + temp.Directory, "clicks");
        source.GetLineageDatasets().Select(d => (d.Namespace, d.Name)).ShouldBe([expected]);
        sink.GetLineageDatasets().Select(d => (d.Namespace, d.Name)).ShouldBe([expected]);
    }
}
