using System.Text.RegularExpressions;
using CsCheck;
using Sluice.Quality.Rules;

namespace Sluice.Quality.Tests;

/// <summary>The regex rule's engine-free matcher: the same verdicts as .NET's regex engine on the patterns it takes, and refusal of the rest.</summary>
public class AnchoredPatternMatcherTests
{
    // Pattern pieces: literals, escapes and classes that overlap in places, so that generated sequences are sometimes
    // deterministic (taken) and sometimes not (left to the engine).
    private static readonly Gen<string> s_atom = OneOf("a", "b", "@", "-", @"\.", @"\+", "[a-z]", "[a-c0-9]", "[0-9]", "[xy_]", @"[\.\-]", "[ab@]", " ");

    private static readonly Gen<string> s_quantifier = OneOf("", "", "+", "*", "?");

    private static readonly Gen<string> s_pattern = Gen.Select(s_atom, s_quantifier, (a, q) => a + q).Array[0, 6].Select(items => "^" + string.Concat(items) + "$");

    // Texts over the pieces' characters plus a few they never accept: '\n' (which '$' may take at the end), an upper-case
    // letter and a non-ASCII one.
    private static readonly Gen<string> s_text = Gen.Char["ab@-.+cz09xy_ \nAé"].Array[0, 12].Select(chars => new string(chars));

    private static Gen<string> OneOf(params string[] choices) => Gen.Int[0, choices.Length - 1].Select(i => choices[i]);

    [Fact]
    public void IsMatch_TakenPattern_AgreesWithTheRegexEngine()
    {
        var taken = 0;
        Gen.Select(s_pattern, s_text.Array[1, 20]).Sample((pattern, texts) =>
        {
            if (AnchoredPatternMatcher.TryCreate(pattern) is not { } matcher)
            {
                return;
            }
            Interlocked.Increment(ref taken);
            var regex = new Regex(pattern, RegexOptions.CultureInvariant);
            foreach (var text in texts)
            {
                matcher.IsMatch(text).ShouldBe(regex.IsMatch(text), $"/{pattern}/ on '{Regex.Escape(text)}'");
            }
        }, iter: 2_000);
        taken.ShouldBeGreaterThan(100); // the generator does reach the matcher
    }

    // Classes of random printable ASCII: characters plain or escaped, and ranges between them (escaped '-' included),
    // and escapes of every punctuation character outside classes (\< and \' are named backreferences there).
    private static readonly Gen<char> s_printable = Gen.Frequency((4, Gen.Char[' ', '~']), (1, Gen.Const('-')), (1, Gen.Const('\\')));

    private static readonly Gen<string> s_classItem = Gen.OneOf(
        s_printable.Select(c => c.ToString()),
        s_printable.Where(c => !char.IsAsciiLetterOrDigit(c) && c != '_').Select(c => "\\" + c),
        Gen.Select(s_printable, Gen.Bool, s_printable, Gen.Bool, (a, ea, b, eb) => (ea && !char.IsAsciiLetterOrDigit(a) ? "\\" : "") + a + "-" + (eb && !char.IsAsciiLetterOrDigit(b) ? "\\" : "") + b));

    private static readonly Gen<string> s_randomAtom = Gen.OneOf(
        s_classItem.Array[1, 4].Select(items => "[" + string.Concat(items) + "]"),
        s_printable.Where(c => !char.IsAsciiLetterOrDigit(c) && c != '_').Select(c => "\\" + c),
        s_printable.Select(c => c.ToString()));

    private static readonly Gen<string> s_randomPattern = Gen.Select(s_randomAtom, s_quantifier, (a, q) => a + q).Array[1, 4].Select(items => "^" + string.Concat(items) + "$");

    [Fact]
    public void IsMatch_RandomClassesAndEscapes_AgreesWithTheRegexEngine()
    {
        var taken = 0;
        // Texts built from the pattern's own characters (so that matches happen), then with '\n', "\n\n" or "\r\n" after.
        Gen.Select(s_randomPattern, Gen.Int[0, 3], Gen.Int[0, 1000]).Sample((pattern, tail, seed) =>
        {
            Regex regex;
            try
            {
                regex = new Regex(pattern, RegexOptions.CultureInvariant);
            }
            catch (ArgumentException)
            {
                AnchoredPatternMatcher.TryCreate(pattern).ShouldBeNull($"/{pattern}/ is not a valid regex");
                return;
            }
            if (AnchoredPatternMatcher.TryCreate(pattern) is not { } matcher)
            {
                return;
            }
            Interlocked.Increment(ref taken);
            var random = new Random(seed);
            var alphabet = pattern.Trim('^', '$') + "-\\<>'0" + new string(Enumerable.Range(0, 6).Select(_ => (char)random.Next(' ', '~' + 1)).ToArray());
            for (var n = 0; n < 20; n++)
            {
                var text = new string(Enumerable.Range(0, random.Next(0, 6)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray())
                    + (tail switch { 1 => "\n", 2 => "\n\n", 3 => "\r\n", _ => "" });
                matcher.IsMatch(text).ShouldBe(regex.IsMatch(text), $"/{pattern}/ on '{Regex.Escape(text)}'");
            }
        }, iter: 5_000);
        taken.ShouldBeGreaterThan(500);
    }

    [Theory]
    [InlineData(@"^[a-z0-9]+@[a-z]+\.[a-z]+$", "u42@example.com", true)]
    [InlineData(@"^[a-z0-9]+@[a-z]+\.[a-z]+$", "u42@example.com\n", true)] // '$' matches before a final '\n'
    [InlineData(@"^[a-z0-9]+@[a-z]+\.[a-z]+$", "u42@example.com\n\n", false)]
    [InlineData(@"^[a-z0-9]+@[a-z]+\.[a-z]+$", "U42@example.com", false)]
    [InlineData(@"^[a-z0-9]+@[a-z]+\.[a-z]+$", "u42@exämple.com", false)]
    [InlineData(@"^[a-z0-9]+@[a-z]+\.[a-z]+$", "@example.com", false)]
    [InlineData(@"^$", "", true)]
    [InlineData(@"^$", "\n", true)]
    [InlineData(@"^DE-?[0-9]+$", "DE-12", true)]
    [InlineData(@"^DE-?[0-9]+$", "DE12", true)]
    [InlineData(@"^DE-?[0-9]+$", "DE--12", false)]
    public void IsMatch_Examples_AsTheRegexEngine(string pattern, string text, bool expected)
    {
        new Regex(pattern, RegexOptions.CultureInvariant).IsMatch(text).ShouldBe(expected); // the examples' own check
        AnchoredPatternMatcher.TryCreate(pattern).ShouldNotBeNull().IsMatch(text).ShouldBe(expected);
    }

    [Theory]
    [InlineData("[a-z]+")] // unanchored
    [InlineData("^[a-z]+")]
    [InlineData("[a-z]+$")]
    [InlineData("^[a-z]+[a-c]$")] // greedy would have to give a character back
    [InlineData("^a?a$")]
    [InlineData("^[a-z]*[0-9]?[a-z]$")]
    [InlineData(@"^\d+$")] // \d is Unicode digits
    [InlineData(@"^\w+$")]
    [InlineData("^[^a]+$")] // negation
    [InlineData("^.+$")]
    [InlineData("^(ab)+$")]
    [InlineData("^a|b$")]
    [InlineData("^a{2}$")]
    [InlineData("^a+?$")]
    [InlineData("^[a-z-[aeiou]]+$")]
    [InlineData("^é+$")]
    [InlineData(@"^a\$")] // ends with an escaped '$', not the anchor
    [InlineData(@"^[\--9]+$")] // .NET reads '-', '-', '9': an escaped '-' never starts a range
    [InlineData(@"^[+\--/]$")]
    [InlineData(@"^[!-\-]$")]
    [InlineData(@"^\<0>$")] // a named backreference to group 0, not the text "<0>"
    [InlineData(@"^\'0'$")]
    public void TryCreate_PatternOutsideTheSimpleForm_LeavesItToTheEngine(string pattern) =>
        AnchoredPatternMatcher.TryCreate(pattern).ShouldBeNull();
}
