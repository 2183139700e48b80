using Sluice.Quality.Rules;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Quality;

/// <summary>
/// The checkpointed state of an expectation's stream rules (freshness, volume): one element per subtask in the operator
/// list state <see cref="Name"/>, split evenly on a change of parallelism (a subtask merges the elements it gets).
/// </summary>
/// <remarks>
/// Format version 1, pinned by a golden test: <c>byte version = 1, int32 rules</c>, then per rule <c>string name,
/// string kind</c> (<c>freshness</c>, <c>volume</c>) and <c>byte[] state</c> (the rule's own layout: freshness
/// <c>int64 newest event time</c>; volume <c>int64 next window to judge, int64 latest window with records, int32 n,
/// n × (int64 start, int64 count), int32 h, h × int64 count</c>, the trailing history oldest first). A rule is matched by
/// name and kind; state of a rule that is gone is ignored, a new rule starts fresh.
/// </remarks>
internal static class StreamRuleState
{
    /// <summary>The name of the operator list state.</summary>
    public const string Name = "sluice.quality.stream-rules";

    /// <summary>The format version this build writes and the newest it reads.</summary>
    public const byte FormatVersion = 1;

    /// <summary>The state of <paramref name="checks"/>, the checks of <paramref name="rules"/>.</summary>
    public static byte[] Write<T>(IReadOnlyList<StreamRule<T>> rules, IReadOnlyList<StreamCheck<T>> checks)
    {
        var writer = new StateWriter();
        var rule = new StateWriter();
        writer.WriteByte(FormatVersion);
        writer.WriteInt32(rules.Count);
        for (var i = 0; i < rules.Count; i++)
        {
            writer.WriteString(rules[i].Name);
            writer.WriteString(rules[i].KindName);
            rule.Reset();
            checks[i].Snapshot(rule);
            writer.WriteBytes(rule.WrittenSpan);
        }
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Restores <paramref name="checks"/> from every element of <paramref name="elements"/>.</summary>
    /// <exception cref="StateFormatException">An element is of a newer format or damaged; the message names the operator.</exception>
    public static void Restore<T>(IReadOnlyList<byte[]> elements, IReadOnlyList<StreamRule<T>> rules, IReadOnlyList<StreamCheck<T>> checks, string operatorName)
    {
        foreach (var element in elements)
        {
            var reader = new StateReader(element);
            var version = reader.ReadByte();
            if (version != FormatVersion)
            {
                throw new StateFormatException($"The stream-rule state of operator '{operatorName}' has format version {version}; this release reads version {FormatVersion}.");
            }
            var count = reader.ReadInt32();
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                var kind = reader.ReadString();
                var state = reader.ReadBytes();
                for (var r = 0; r < rules.Count; r++)
                {
                    if (rules[r].Name == name && rules[r].KindName == kind)
                    {
                        var ruleReader = new StateReader(state);
                        checks[r].Restore(ruleReader);
                        ruleReader.EnsureAtEnd();
                    }
                }
            }
            reader.EnsureAtEnd();
        }
    }
}
