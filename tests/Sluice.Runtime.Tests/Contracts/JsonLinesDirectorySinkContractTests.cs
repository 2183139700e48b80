using System.Globalization;
using Sluice.Sinks;
using Sluice.Tests.Shared.Contracts;

namespace Sluice.Runtime.Tests.Contracts;

/// <summary>The two-phase sink contract for the filesystem sink <see cref="JsonLinesDirectorySink{T}"/>: committed records are the lines of its committed part files.</summary>
public sealed class JsonLinesDirectorySinkContractTests : TwoPhaseSinkContractTests<long>
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), "sluice-jsonl-contract-" + Guid.NewGuid().ToString("N"));

    protected override ITwoPhaseSink<long> CreateSink() => new JsonLinesDirectorySink<long>(_output);

    protected override long ToRecord(long value) => value;

    protected override IReadOnlyList<long> ReadCommitted()
    {
        var values = new List<long>();
        foreach (var file in JsonLinesDirectorySink<long>.CommittedFiles(_output))
        {
            foreach (var line in File.ReadAllLines(file))
            {
                values.Add(long.Parse(line, CultureInfo.InvariantCulture));
            }
        }
        return values;
    }

    protected override int StagedLeftovers()
    {
        var staging = Path.Combine(_output, JsonLinesDirectorySink<long>.StagingDirectoryName);
        return Directory.Exists(staging) ? Directory.GetFiles(staging).Length : 0;
    }

    public override void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
        base.Dispose();
    }
}
