namespace Sluice.Quality.Rules;

/// <summary>
/// A matcher for the simple patterns validation rules mostly use, without the regex engine: a whole-text pattern
/// <c>^…$</c> made of single-character items — an ASCII literal, an escaped ASCII punctuation character, or a class
/// <c>[…]</c> of ASCII literals and ranges — each optionally followed by <c>+</c>, <c>*</c> or <c>?</c>, where every
/// repeated or optional item's characters are disjoint from the characters that can come next (so greedy matching
/// never has to give a character back) and no item matches <c>\n</c>. On such a pattern <see cref="IsMatch"/> gives
/// exactly <see cref="System.Text.RegularExpressions.Regex.IsMatch(string)"/>'s verdict (with
/// <c>RegexOptions.CultureInvariant</c>, including <c>$</c> matching before a final <c>\n</c>), in one pass over the
/// text, in time linear in its length, allocating nothing. Immutable; any thread.
/// </summary>
internal sealed class AnchoredPatternMatcher
{
    private readonly Item[] _items;

    private AnchoredPatternMatcher(Item[] items) => _items = items;

    private enum Quantifier : byte
    {
        One,
        Optional,
        Star,
        Plus,
    }

    /// <summary>One single-character item: the ASCII characters it accepts (bits 0–63 and 64–127) and how often.</summary>
    private readonly record struct Item(ulong Low, ulong High, Quantifier Quantifier)
    {
        public bool Accepts(char c) => c < 64 ? ((Low >> c) & 1) != 0 : c < 128 && ((High >> (c - 64)) & 1) != 0;

        public bool Overlaps(ulong low, ulong high) => (Low & low) != 0 || (High & high) != 0;
    }

    /// <summary>The matcher for <paramref name="pattern"/>, or null when it is not of the simple form (use the regex engine).</summary>
    public static AnchoredPatternMatcher? TryCreate(string pattern)
    {
        if (pattern.Length < 2 || pattern[0] != '^' || pattern[^1] != '$')
        {
            return null;
        }
        var items = new List<Item>();
        var body = pattern.AsSpan(1, pattern.Length - 2);
        var i = 0;
        while (i < body.Length)
        {
            if (!TryParseAtom(body, ref i, out var low, out var high))
            {
                return null;
            }
            var quantifier = Quantifier.One;
            if (i < body.Length && body[i] is '+' or '*' or '?')
            {
                quantifier = body[i] switch { '+' => Quantifier.Plus, '*' => Quantifier.Star, _ => Quantifier.Optional };
                i++;
                if (i < body.Length && body[i] is '+' or '*' or '?' or '{')
                {
                    return null; // lazy or nested quantifiers
                }
            }
            const ulong newLine = 1UL << '\n';
            if ((low & newLine) != 0)
            {
                return null;
            }
            items.Add(new Item(low, high, quantifier));
        }
        return IsDeterministic(items) ? new AnchoredPatternMatcher([.. items]) : null;
    }

    /// <summary>True when <paramref name="text"/> matches the pattern (as the regex engine would say).</summary>
    public bool IsMatch(string text)
    {
        var position = 0;
        foreach (var item in _items)
        {
            switch (item.Quantifier)
            {
                case Quantifier.One:
                    if (position >= text.Length || !item.Accepts(text[position]))
                    {
                        return false;
                    }
                    position++;
                    break;
                case Quantifier.Optional:
                    if (position < text.Length && item.Accepts(text[position]))
                    {
                        position++;
                    }
                    break;
                case Quantifier.Plus:
                    if (position >= text.Length || !item.Accepts(text[position]))
                    {
                        return false;
                    }
                    position++;
                    while (position < text.Length && item.Accepts(text[position]))
                    {
                        position++;
                    }
                    break;
                default:
                    while (position < text.Length && item.Accepts(text[position]))
                    {
                        position++;
                    }
                    break;
            }
        }
        // '$' (without RegexOptions.Multiline) matches at the end, or before a '\n' that ends the text.
        return position == text.Length || (position == text.Length - 1 && text[position] == '\n');
    }

    /// <summary>
    /// Whether greedy matching is exact: a repeated or optional item's characters never overlap those of the items that
    /// may follow it (up to and including the next mandatory one), so a character it accepts cannot belong to them.
    /// </summary>
    private static bool IsDeterministic(List<Item> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].Quantifier == Quantifier.One)
            {
                continue;
            }
            for (var j = i + 1; j < items.Count; j++)
            {
                if (items[i].Overlaps(items[j].Low, items[j].High))
                {
                    return false;
                }
                if (items[j].Quantifier is Quantifier.One or Quantifier.Plus)
                {
                    break;
                }
            }
        }
        return true;
    }

    /// <summary>Parses one atom at <paramref name="i"/> into its ASCII character set; false for anything else.</summary>
    private static bool TryParseAtom(ReadOnlySpan<char> body, ref int i, out ulong low, out ulong high)
    {
        low = high = 0;
        var c = body[i];
        if (c == '[')
        {
            return TryParseClass(body, ref i, ref low, ref high);
        }
        if (c == '\\')
        {
            // Outside a class, \<name> and \'name' are named backreferences (\<0> is valid: group 0 always exists).
            if (i + 1 >= body.Length || !IsEscapablePunctuation(body[i + 1]) || body[i + 1] is '<' or '\'')
            {
                return false;
            }
            Add(body[i + 1], ref low, ref high);
            i += 2;
            return true;
        }
        if (!IsPlainLiteral(c))
        {
            return false;
        }
        Add(c, ref low, ref high);
        i++;
        return true;
    }

    /// <summary>Parses <c>[…]</c>: literals, escaped punctuation and ranges; no negation, subtraction or shorthand classes.</summary>
    private static bool TryParseClass(ReadOnlySpan<char> body, ref int i, ref ulong low, ref ulong high)
    {
        var j = i + 1;
        var any = false;
        while (j < body.Length && body[j] != ']')
        {
            var start = j;
            if (!TryParseClassChar(body, ref j, out var first))
            {
                return false;
            }
            if (j + 1 < body.Length && body[j] == '-' && body[j + 1] != ']')
            {
                // .NET never starts a range at an escaped '-' ([\--9] is '-', '-' and '9'); such classes go to the engine,
                // as do ranges ending at an escaped '-'.
                if (body[start] == '\\' && first == '-')
                {
                    return false;
                }
                j++;
                var end = j;
                if (!TryParseClassChar(body, ref j, out var last) || last < first || (body[end] == '\\' && last == '-'))
                {
                    return false;
                }
                for (var ch = first; ch <= last; ch++)
                {
                    Add(ch, ref low, ref high);
                }
            }
            else
            {
                Add(first, ref low, ref high);
            }
            any = true;
        }
        if (j >= body.Length || !any)
        {
            return false;
        }
        i = j + 1;
        return true;
    }

    private static bool TryParseClassChar(ReadOnlySpan<char> body, ref int j, out char c)
    {
        c = body[j];
        if (c == '\\')
        {
            if (j + 1 >= body.Length || !IsEscapablePunctuation(body[j + 1]))
            {
                return false;
            }
            c = body[j + 1];
            j += 2;
            return true;
        }
        // '^' (negation when first), '[' (subtraction) and '-' outside a range are left to the regex engine.
        if (c is < ' ' or > '~' or '[' or '^' or '-')
        {
            return false;
        }
        j++;
        return true;
    }

    /// <summary>A character that stands for itself outside a class: printable ASCII that is not a regex metacharacter.</summary>
    private static bool IsPlainLiteral(char c) =>
        c is >= ' ' and <= '~' && !"\\[](){}|.^$*+?#".Contains(c);

    /// <summary>Printable ASCII punctuation: escaping it means the character itself (unlike <c>\d</c>, <c>\w</c>, <c>\n</c>…).</summary>
    private static bool IsEscapablePunctuation(char c) => c is >= '!' and <= '~' && !char.IsAsciiLetterOrDigit(c) && c != '_';

    private static void Add(char c, ref ulong low, ref ulong high)
    {
        if (c < 64)
        {
            low |= 1UL << c;
        }
        else
        {
            high |= 1UL << (c - 64);
        }
    }
}
