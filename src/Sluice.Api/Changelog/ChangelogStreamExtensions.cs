using Sluice.Changelog;
using Sluice.Schemas;

namespace Sluice;

/// <summary>Changelog operators on streams of <see cref="Row"/>s.</summary>
public static class ChangelogStreamExtensions
{
    /// <summary>
    /// Flink's <c>ChangelogNormalize</c>: keys the stream by <paramref name="keyFields"/> and turns an upsert changelog
    /// (<see cref="ChangelogMode.Upsert"/>: rows that replace their key's row, deletes that may carry only the key —
    /// what the 'upsert-kafka' source reads) into a complete one (<see cref="ChangelogMode.All"/>) by keeping the last
    /// row of each key in keyed state: a new key emits <c>+I</c>, a changed row <c>-U</c> (the previous row) then
    /// <c>+U</c>, an unchanged row nothing, a delete <c>-D</c> with the previous row, and a delete of a key without a
    /// row (a repeated tombstone) nothing. The state is checkpointed and moves with its keys on rescaling: give the
    /// operator a <c>Uid</c>.
    /// </summary>
    /// <param name="stream">Rows of <paramref name="schema"/>; they are not changed (an output row of another kind is a copy).</param>
    /// <param name="schema">The rows' schema (part of the state's format).</param>
    /// <param name="keyFields">The key's fields: scalar fields of <paramref name="schema"/>, in key order.</param>
    /// <param name="name">The operator's name; default <c>ChangelogNormalize(key, …)</c>.</param>
    /// <returns>The normalized changelog.</returns>
    /// <exception cref="ArgumentException">No key field, a name that is not a field of <paramref name="schema"/>, or a ROW, ARRAY or MAP key field.</exception>
    public static DataStream<Row> NormalizeChangelog(this DataStream<Row> stream, Schema schema, IReadOnlyList<string> keyFields, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(schema);
        var keys = new RowKeyEncoder(schema, keyFields);
        return stream.KeyBy(keys.Encode)
            .Transform(name ?? $"ChangelogNormalize({string.Join(", ", keyFields)})", () => new ChangelogNormalizeOperator(schema));
    }
}
