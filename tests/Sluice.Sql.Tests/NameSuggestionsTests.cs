namespace Sluice.Sql.Tests;

public sealed class NameSuggestionsTests
{
    [Theory]
    [InlineData("ordrs", "orders")]      // a deletion
    [InlineData("oredrs", "orders")]     // a transposition
    [InlineData("ORDERS", "orders")]     // case only
    [InlineData("orderz", "orders")]     // a substitution
    public void Closest_OneEditAway_FindsIt(string name, string expected) =>
        NameSuggestions.Closest(name, ["persons", expected, "auctions"]).ShouldBe([expected]);

    [Fact]
    public void Closest_NothingClose_IsEmpty() =>
        NameSuggestions.Closest("bid", ["persons", "auctions"]).ShouldBeEmpty();

    [Fact]
    public void Closest_SeveralClose_ClosestFirstThenInOrder() =>
        NameSuggestions.Closest("price", ["prize", "prices", "price2", "pricey"], max: 3).ShouldBe(["prize", "prices", "price2"]);

    [Fact]
    public void DidYouMean_FormatsOneOrSeveral()
    {
        NameSuggestions.DidYouMean("a1", ["a2"]).ShouldBe(" Did you mean 'a2'?");
        NameSuggestions.DidYouMean("ab", ["ac", "ad", "ae"]).ShouldBe(" Did you mean 'ac', 'ad' or 'ae'?");
        NameSuggestions.DidYouMean("zzz", ["ab"]).ShouldBe("");
    }

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "", 3)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("ab", "ba", 1)]
    [InlineData("CA", "abc", 3)]
    public void Distance_KnownPairs(string a, string b, int expected) => NameSuggestions.Distance(a, b).ShouldBe(expected);
}
