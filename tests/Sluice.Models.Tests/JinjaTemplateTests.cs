using CsCheck;
using Sluice.Models.Templating;

namespace Sluice.Models.Tests;

/// <summary>The Jinja subset: expected outputs written by hand from Jinja's documented behaviour.</summary>
public sealed class JinjaTemplateTests
{
    private static string Render(string template, Dictionary<string, object?>? globals = null) =>
        JinjaTemplate.Parse("t.sql", template).Render(globals ?? []);

    [Theory]
    [InlineData("a {{ 1 + 2 }} b", "a 3 b")]
    [InlineData("{{ 'x' ~ 1 ~ none }}", "x1None")]
    [InlineData("{{ 7 // 2 }} {{ 7 / 2 }} {{ 7 % 3 }} {{ 2 ** 10 }} {{ -7 // 2 }}", "3 3.5 1 1024 -4")]
    [InlineData("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }}", "7 9")]
    [InlineData("{{ true and 'yes' }} {{ false or 'no' }} {{ not 0 }}", "yes no True")]
    [InlineData("{{ 1 < 2 }} {{ 'a' == 'a' }} {{ 2 != 2 }} {{ 3 >= 4 }}", "True True False False")]
    [InlineData("{{ 'b' in ['a', 'b'] }} {{ 'z' not in 'xyz' }} {{ 'k' in {'k': 1} }}", "True False True")]
    [InlineData("{{ 'yes' if 1 > 0 else 'no' }} {{ 'yes' if 0 else 'no' }}", "yes no")]
    [InlineData("{{ [1, 'a', none, true] }} {{ {'k': 'v'} }}", "[1, 'a', None, True] {'k': 'v'}")]
    [InlineData("{{ {'a': {'b': [10, 20]}}.a.b[1] }} {{ {'a': 1}['a'] }} {{ [1,2,3][-1] }}", "20 1 3")]
    [InlineData("{{ 'Hello World' | lower }} {{ 'x' | upper }} {{ '  t  ' | trim }}|", "hello world X t|")]
    [InlineData("{{ ['a', 'b', 'c'] | join(', ') }} {{ [1, 2] | length }} {{ 'abc' | length }}", "a, b, c 2 3")]
    [InlineData("{{ missing | default('fallback') }} {{ '' | default('e', true) }} {{ 0 | default(5) }}", "fallback e 0")]
    [InlineData("{{ 'a-b-c' | replace('-', '_') }} {{ 'ab' | list }} {{ [3, 4] | first }} {{ [3, 4] | last }}", "a_b_c ['a', 'b'] 3 4")]
    [InlineData("{{ ['b', 'a'] | sort | join }} {{ 'x,y'.split(',') }} {{ 'AbC'.lower() }}", "ab ['x', 'y'] abc")]
    [InlineData("{{ x is defined }} {{ none is none }} {{ 3 is not string }}", "False True True")]
    [InlineData("{% for x in [1, 2, 3] %}{{ x }}{{ ',' if not loop.last }}{% endfor %} [{{ 'a' if false }}]", "1,2,3 []")]
    [InlineData("{{ '{} {}'.format(1, 2) }} {{ '{}-{{}}-{}'.format('a', 'b') }} {{ '{1}{0}'.format('x', 'y') }}", "1 2 a-{}-b yx")]
    [InlineData("{{ range(3) }} {{ range(1, 4) }} {{ range(10, 0, -3) }} {{ range(2, 1) }}", "[0, 1, 2] [1, 2, 3] [10, 7, 4, 1] []")]
    [InlineData("{% for i in range(2) %}{{ i }}{% endfor %}{% set range = 'mine' %}{{ range }}", "01mine")]
    public void Render_Expressions_MatchJinja(string template, string expected) => Render(template).ShouldBe(expected);

    [Fact]
    public void Render_ForLoop_LoopVariablesElseAndUnpacking()
    {
        Render("{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ x }}{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %}/{{ loop.length }} {% endfor %}")
            .ShouldBe("1aF/3 2b/3 3cL/3 ");
        Render("{% for x in [] %}x{% else %}empty{% endfor %}").ShouldBe("empty");
        Render("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}").ShouldBe("a=1;b=2;");
        Render("{% for x in [1, 2, 3, 4] if x is even %}{{ x }}{% endfor %}").ShouldBe("24");
        Render("{% for x in [1, 2] %}{% for y in ['a'] %}{{ x }}{{ y }}{{ loop.index }}{% endfor %}{{ loop.index }} {% endfor %}").ShouldBe("1a11 2a12 ");
    }

    [Fact]
    public void Render_IfElifElse_TakesTheFirstTrueBranch()
    {
        const string template = "{% if n < 0 %}neg{% elif n == 0 %}zero{% else %}pos{% endif %}";
        Render(template, new() { ["n"] = -1L }).ShouldBe("neg");
        Render(template, new() { ["n"] = 0L }).ShouldBe("zero");
        Render(template, new() { ["n"] = 5L }).ShouldBe("pos");
    }

    [Fact]
    public void Render_SetAndBlockSet_AssignInTheCurrentScopeOnly()
    {
        Render("{% set x = 1 %}{% set a, b = 2, 3 %}{{ x }}{{ a }}{{ b }}").ShouldBe("123");
        Render("{% set s %}in {{ 1 + 1 }}{% endset %}[{{ s }}]").ShouldBe("[in 2]");
        // As in Jinja, a set inside a loop does not leak out of it.
        Render("{% set x = 'out' %}{% for i in [1] %}{% set x = 'in' %}{% endfor %}{{ x }}").ShouldBe("out");
        Render("{% set l = [] %}{% do l.append(1) %}{% do l.append(2) %}{{ l }}").ShouldBe("[1, 2]");
    }

    [Fact]
    public void Render_MacrosWithDefaultsKeywordsAndCaller()
    {
        Render("{% macro cents(col, scale=2) %}round({{ col }} / 100, {{ scale }}){% endmacro %}{{ cents('amount') }} {{ cents('x', scale=0) }}")
            .ShouldBe("round(amount / 100, 2) round(x / 100, 0)");
        Render("{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold{% endcall %}")
            .ShouldBe("<b>bold</b>");
    }

    [Fact]
    public void Render_WhitespaceControl_StripsOnTheMarkedSide()
    {
        Render("a  \n  {%- if true %} b {% endif -%}  \n c").ShouldBe("a b c");
        Render("x {{- 1 -}} y").ShouldBe("x1y");
        Render("a {#- comment -#} b").ShouldBe("ab");
        Render("a {# comment #} b").ShouldBe("a  b");
        Render("{% raw %}{{ not rendered }}{% endraw %}").ShouldBe("{{ not rendered }}");
        Render("line\n").ShouldBe("line", "a single trailing newline is dropped, as in Jinja");
    }

    [Fact]
    public void Render_JaffleShopLoop_ProducesOneColumnPerMethod()
    {
        const string template = """
            {% set methods = ['credit_card', 'coupon'] %}
            select
                {% for m in methods -%}
                sum(case when payment_method = '{{ m }}' then amount else 0 end) as {{ m }}_amount,
                {% endfor -%}
                sum(amount) as total_amount
            """;
        Render(template).ShouldBe("""

            select
                sum(case when payment_method = 'credit_card' then amount else 0 end) as credit_card_amount,
                sum(case when payment_method = 'coupon' then amount else 0 end) as coupon_amount,
                sum(amount) as total_amount
            """);
    }

    [Fact]
    public void Render_HostFunctionsAndObjects_GetPositionalAndKeywordArguments()
    {
        JinjaFunction describe = (args, kwargs) => string.Join(",", args.Select(JinjaValues.ToText)) + ";" + string.Join(",", kwargs.Select(p => p.Key + "=" + JinjaValues.ToText(p.Value)));
        Render("{{ f(1, 'a', k=true) }}", new() { ["f"] = describe }).ShouldBe("1,a;k=True");
    }

    [Theory]
    [InlineData("select {{ x }", "t.sql:1:14: unexpected end of template: expected '}}'")]
    [InlineData("a\n{% if x %}\nb", "t.sql:3:2: unexpected end of template: expected '{% elif %}' or '{% else %}' or '{% endif %}'")]
    [InlineData("{% for x in y %}{% endif %}", "t.sql:1:20: unexpected 'endif': expected '{% else %}' or '{% endfor %}'")]
    [InlineData("{% frobnicate %}", "t.sql:1:4: unknown statement 'frobnicate' (supported: if, for, set, macro, call, do, raw)")]
    [InlineData("{{ 1 + }}", "t.sql:1:8: expected an expression, found '}}'")]
    [InlineData("x\n  {% set a 1 %}", "t.sql:2:12: expected '=', found '1'")]
    [InlineData("{{ 'open }}", "t.sql:1:4: string is never closed: expected '")]
    [InlineData("{# never closed", "t.sql:1:1: comment is never closed: expected '#}'")]
    public void Parse_SyntaxErrors_NameFileLineAndColumn(string template, string expected)
    {
        var error = Should.Throw<TemplateException>(() => JinjaTemplate.Parse("t.sql", template));
        error.Message.ShouldBe(expected);
    }

    [Theory]
    [InlineData("select\n  {{ nope }}", "t.sql:2:6: 'nope' is undefined")]
    [InlineData("{{ 1 + 'a' }}", "t.sql:1:6: unsupported operand types for +: int and str")]
    [InlineData("{{ x | frob }}", "t.sql:1:6: unknown filter 'frob'")]
    [InlineData("{% for a, b in [1] %}{% endfor %}", "t.sql:1:1: cannot unpack 1 into 2 names (a, b)")]
    [InlineData("{{ nothing() }}", "t.sql:1:11: 'nothing' is undefined")]
    [InlineData("select\n  {{ ['a', 1] | sort }}", "t.sql:2:15: InvalidOperationException: ")]
    [InlineData("{{ '{} {}'.format(1) }}", "t.sql:1:18: FormatException: ")]
    [InlineData("{{ range(1, 5, 0) }}", "t.sql:1:4: range() step must not be zero")]
    public void Render_RuntimeErrors_NameFileLineAndColumn(string template, string expected)
    {
        var error = Should.Throw<TemplateException>(() => Render(template, new() { ["x"] = 1L }));
        error.Message.ShouldStartWith(expected);
    }

    [Fact]
    public void Render_PlainText_IsReturnedUnchanged() =>
        Gen.String.Where(s => !s.Contains('{') && !s.EndsWith('\n')).Sample(text => Render(text) == text);

    [Fact]
    public void Render_IntegerArithmetic_MatchesCSharp() =>
        Gen.Select(Gen.Long[-1000, 1000], Gen.Long[-1000, 1000]).Sample((a, b) =>
            Render($"{{{{ {a} + {b} }}}},{{{{ {a} * {b} }}}},{{{{ {a} - {b} }}}}") == $"{a + b},{a * b},{a - b}");

    [Fact]
    public void Render_JoinOfStringLiterals_RoundTrips() =>
        Gen.String[Gen.Char.AlphaNumeric, 0, 8].List[0, 6].Sample(items =>
            Render("{{ [" + string.Join(", ", items.Select(i => "'" + i + "'")) + "] | join('|') }}") == string.Join("|", items));
}
