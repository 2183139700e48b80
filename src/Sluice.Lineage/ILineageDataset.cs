namespace Sluice.Lineage;

/// <summary>
/// Implemented by a source or sink that knows what it reads or writes: the runtime asks it for its datasets when a
/// job starts, and puts them in the job's lineage events as inputs (sources) or outputs (sinks). A connector without
/// it leaves the job's lineage without that dataset. Name datasets with <see cref="DatasetNames"/>.
/// </summary>
public interface ILineageDataset
{
    /// <summary>
    /// The datasets this source reads or this sink writes (usually one), with a schema facet when the connector knows
    /// the columns. Called once per job run, on the thread starting the job; must not do I/O that can block for long.
    /// </summary>
    IReadOnlyList<LineageDataset> GetLineageDatasets();
}
