using System.Globalization;
using Sluice.Sources;
using Sluice.Tests.Shared.Contracts;

namespace Sluice.Runtime.Tests.Contracts;

/// <summary>The source contract for the filesystem source <see cref="JsonLinesFileSource{T}"/>: one file, one split, positions are line numbers.</summary>
public sealed class JsonLinesFileSourceContractTests : SourceContractTests
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "sluice-file-contract-" + Guid.NewGuid().ToString("N") + ".jsonl");
    private int _lines;

    public JsonLinesFileSourceContractTests() => File.WriteAllText(_path, "");

    protected override int SplitCount => 1;

    protected override void Append(int split, IReadOnlyList<long> values)
    {
        split.ShouldBe(0, "a file is a single split");
        File.AppendAllLines(_path, values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        _lines += values.Count;
    }

    protected override string AppendMalformed(int split)
    {
        File.AppendAllLines(_path, ["{not json"]);
        _lines++;
        return $"line {_lines}";
    }

    protected override string DeadLetterSource => _path;

    protected override ISource<long> CreateSource() => new JsonLinesFileSource<long>(_path);

    public override void Dispose()
    {
        File.Delete(_path);
        base.Dispose();
    }
}
