namespace Sluice.Core.Tests;

public class KeyGroupsTests
{
    public static TheoryData<int> KeyGroupCounts => [1, 7, 128, 1000, 32768];

    [Theory]
    [MemberData(nameof(KeyGroupCounts))]
    public void RangeFor_AnyParallelism_CoversEveryGroupExactlyOnceInOrder(int keyGroupCount)
    {
        var parallelisms = Enumerable.Range(1, Math.Min(keyGroupCount, 130)).Append(keyGroupCount).Distinct();
        foreach (var parallelism in parallelisms)
        {
            var next = 0;
            for (var subtask = 0; subtask < parallelism; subtask++)
            {
                var range = KeyGroups.RangeFor(subtask, keyGroupCount, parallelism);
                range.Start.ShouldBe(next, $"p={parallelism} subtask={subtask}");
                range.Count.ShouldBeGreaterThanOrEqualTo(keyGroupCount / parallelism);
                range.Count.ShouldBeLessThanOrEqualTo((keyGroupCount / parallelism) + 1);
                next = range.End + 1;
            }
            next.ShouldBe(keyGroupCount, $"p={parallelism}");
        }
    }

    [Theory]
    [MemberData(nameof(KeyGroupCounts))]
    public void OwnerOf_IsInverseOfRangeFor(int keyGroupCount)
    {
        foreach (var parallelism in new[] { 1, 2, 3, 4, 5, 7, 16, 127, 128 }.Where(p => p <= keyGroupCount))
        {
            for (var subtask = 0; subtask < parallelism; subtask++)
            {
                var range = KeyGroups.RangeFor(subtask, keyGroupCount, parallelism);
                for (var group = range.Start; group <= range.End; group++)
                {
                    KeyGroups.OwnerOf(group, keyGroupCount, parallelism).ShouldBe(subtask);
                    range.Contains(group).ShouldBeTrue();
                }
            }
        }
    }

    [Fact]
    public void Assign_AlwaysInRangeAndDeterministic()
    {
        var random = new Random(11);
        for (var i = 0; i < 10_000; i++)
        {
            var hash = random.Next(int.MinValue, int.MaxValue);
            var group = KeyGroups.Assign(hash, 128);
            group.ShouldBeInRange(0, 127);
            KeyGroups.Assign(hash, 128).ShouldBe(group);
        }
    }

    [Fact]
    public void Assign_SpreadsSequentialHashesOverGroups()
    {
        var groups = Enumerable.Range(0, 12_800).Select(i => KeyGroups.Assign(i, 128)).GroupBy(g => g).ToList();
        groups.Count.ShouldBe(128);
        groups.Max(g => g.Count()).ShouldBeLessThan(200);
    }

    [Theory]
    [InlineData(0, 128, 0)]
    [InlineData(0, 128, 129)]
    [InlineData(-1, 128, 4)]
    [InlineData(4, 128, 4)]
    public void RangeFor_InvalidArguments_Throw(int subtask, int keyGroupCount, int parallelism) =>
        Should.Throw<ArgumentOutOfRangeException>(() => KeyGroups.RangeFor(subtask, keyGroupCount, parallelism));

    [Fact]
    public void KeyGroupRange_EmptyWhenEndBeforeStart()
    {
        new KeyGroupRange(5, 4).Count.ShouldBe(0);
        new KeyGroupRange(5, 4).Contains(5).ShouldBeFalse();
        new KeyGroupRange(3, 5).Count.ShouldBe(3);
    }
}
