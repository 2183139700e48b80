namespace Sluice;

/// <summary>Live figures of one operator subtask, since the job's current attempt started (<see cref="JobClient.GetOperatorMetrics"/>).</summary>
/// <param name="Operator">The operator's name.</param>
/// <param name="Uid">Its stable id (checkpoints).</param>
/// <param name="Subtask">The subtask index.</param>
/// <param name="IsSource">True for a source (it has no input).</param>
/// <param name="RecordsIn">Records handed to it (0 for sources).</param>
/// <param name="RecordsOut">Records it emitted on its main output (side outputs not counted; 0 for sinks).</param>
/// <param name="Watermark">Its current event-time watermark, Unix ms; <see cref="long.MinValue"/> before the first.</param>
/// <param name="LateRecords">Records it classified as late (windows); 0 for others.</param>
public sealed record OperatorMetrics(string Operator, string Uid, int Subtask, bool IsSource, long RecordsIn, long RecordsOut, long Watermark, long LateRecords);
