using static Sluice.Sql.Tests.Expressions.Sql;

namespace Sluice.Sql.Tests.Expressions;

public sealed class StringFunctionTests
{
    [Theory]
    [InlineData("UPPER", "aBc", "ABC")]
    [InlineData("LOWER", "aBc", "abc")]
    [InlineData("TRIM", "  a b  ", "a b")]
    [InlineData("LTRIM", "  a ", "a ")]
    [InlineData("RTRIM", "  a ", "  a")]
    [InlineData("INITCAP", "hello wORLD-x", "Hello World-X")]
    [InlineData("REVERSE", "abc", "cba")]
    [InlineData("MD5", "abc", "900150983cd24fb0d6963f7d28e17f72")]
    [InlineData("SHA256", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    public void OneArgument_Text_GivesFlinkResult(string function, string input, string expected)
    {
        Fn(function, input).ShouldBe(expected);
    }

    [Theory]
    [InlineData("UPPER")]
    [InlineData("TRIM")]
    [InlineData("CHAR_LENGTH")]
    [InlineData("MD5")]
    [InlineData("INITCAP")]
    public void OneArgument_Null_GivesNull(string function)
    {
        Fn(function, [null]).ShouldBeNull();
    }

    [Theory]
    [InlineData("hello", 2, 3, "ell")]
    [InlineData("hello", 0, 2, "he")]
    [InlineData("hello", -3, 2, "ll")]
    [InlineData("hello", 4, 10, "lo")]
    [InlineData("hello", 9, 1, "")]
    public void Substring_StartAndLength_CountsFromOne(string s, int start, int length, string expected)
    {
        Fn("SUBSTRING", s, start, length).ShouldBe(expected);
        Fn("SUBSTR", s, start, length).ShouldBe(expected);
    }

    [Fact]
    public void Substring_NoLength_TakesTheRest()
    {
        Fn("SUBSTRING", "hello", 3).ShouldBe("llo");
    }

    [Fact]
    public void Substring_NegativeLength_GivesNull()
    {
        Fn("SUBSTRING", "hello", 1, -1).ShouldBeNull();
    }

    [Fact]
    public void CharLength_Text_CountsCharacters()
    {
        Fn("CHAR_LENGTH", "héllo").ShouldBe(5);
    }

    [Fact]
    public void Concat_AnyNull_GivesNull()
    {
        Fn("CONCAT", "a", "b", "c").ShouldBe("abc");
        Fn("CONCAT", "a", null).ShouldBeNull();
        Fn("CONCAT", "a", "b", "c", "d", "e", "f").ShouldBe("abcdef");
    }

    [Fact]
    public void ConcatWs_NullValues_AreSkipped()
    {
        Fn("CONCAT_WS", "-", "a", null, "c").ShouldBe("a-c");
        Fn("CONCAT_WS", null, "a", "b").ShouldBeNull();
    }

    [Fact]
    public void Replace_AllOccurrences_Replaced()
    {
        Fn("REPLACE", "a.b.c", ".", "::").ShouldBe("a::b::c");
        Fn("REPLACE", "abc", null, "x").ShouldBeNull();
    }

    [Fact]
    public void PositionAndLocate_OneBased_ZeroWhenAbsent()
    {
        Fn("POSITION", "lo", "hello").ShouldBe(4);
        Fn("POSITION", "x", "hello").ShouldBe(0);
        Fn("LOCATE", "l", "hello", 4).ShouldBe(4);
        Fn("LOCATE", "h", "hello", 2).ShouldBe(0);
    }

    [Fact]
    public void Pad_ShorterAndLonger_PadsOrCuts()
    {
        Fn("LPAD", "hi", 5, "xy").ShouldBe("xyxhi");
        Fn("RPAD", "hi", 5, "xy").ShouldBe("hixyx");
        Fn("LPAD", "hello", 2, "x").ShouldBe("he");
        Fn("LPAD", "hi", -1, "x").ShouldBeNull();
    }

    [Fact]
    public void RegexpExtract_GroupAndNoMatch()
    {
        Fn("REGEXP_EXTRACT", "foothebar", "foo(.*?)(bar)", 2).ShouldBe("bar");
        Fn("REGEXP_EXTRACT", "foothebar", "foo(.*?)(bar)", 1).ShouldBe("the");
        Fn("REGEXP_EXTRACT", "foothebar", "foo(.*?)(bar)").ShouldBe("foothebar");
        Fn("REGEXP_EXTRACT", "xyz", "foo(.*)", 1).ShouldBeNull();
        Fn("REGEXP_EXTRACT", "foothebar", "foo(.*?)(bar)", 3).ShouldBeNull();
    }

    [Fact]
    public void RegexpReplaceAndRegexp_MatchAnywhere()
    {
        Fn("REGEXP_REPLACE", "a1b22c", "[0-9]+", "#").ShouldBe("a#b#c");
        Fn("REGEXP", "abc123", "[0-9]{3}").ShouldBe(true);
        Fn("REGEXP", "abc", "^b").ShouldBe(false);
    }

    [Fact]
    public void Regexp_InvalidPattern_ThrowsNamingIt()
    {
        var error = Should.Throw<Sluice.Sql.Expressions.SqlEvaluationException>(() => Fn("REGEXP", "abc", "(("));
        error.Message.ShouldContain("'(('");
    }

    [Fact]
    public void SplitIndex_ZeroBased_NullOutOfRange()
    {
        Fn("SPLIT_INDEX", "a,b,c", ",", 1).ShouldBe("b");
        Fn("SPLIT_INDEX", "a,b,c", ",", 0).ShouldBe("a");
        Fn("SPLIT_INDEX", "a,b,c", ",", 3).ShouldBeNull();
        Fn("SPLIT_INDEX", "a,b,c", ",", -1).ShouldBeNull();
    }

    [Fact]
    public void IsDigitAndHashCode_MatchFlink()
    {
        Fn("IS_DIGIT", "0123").ShouldBe(true);
        Fn("IS_DIGIT", "12a").ShouldBe(false);
        // Java: "abc".hashCode() == 96354
        Fn("HASH_CODE", "abc").ShouldBe(96354);
    }
}
