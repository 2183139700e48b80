using Sluice.Schemas;

namespace Sluice.Sql.Expressions;

/// <summary>
/// Flink's numeric functions (see <see cref="FunctionOverload"/> for how a method maps to SQL). Integer overflow wraps,
/// as in Java; DOUBLE functions follow IEEE 754 (SQRT(-1) is NaN, as in Flink).
/// </summary>
internal static class MathFunctions
{
    [SqlFunction("ABS")]
    public static int Abs(int x) => x < 0 ? unchecked(-x) : x;

    [SqlFunction("ABS")]
    public static long Abs(long x) => x < 0 ? unchecked(-x) : x;

    [SqlFunction("ABS", ResultType = nameof(SameAsFirst))]
    public static decimal Abs(decimal x) => Math.Abs(x);

    [SqlFunction("ABS")]
    public static float Abs(float x) => Math.Abs(x);

    [SqlFunction("ABS")]
    public static double Abs(double x) => Math.Abs(x);

    /// <summary>ROUND(x) to an integer, half away from zero.</summary>
    [SqlFunction("ROUND")]
    public static int Round(int x) => x;

    [SqlFunction("ROUND")]
    public static long Round(long x) => x;

    [SqlFunction("ROUND", ResultType = nameof(SameAsFirst))]
    public static decimal Round(decimal x) => decimal.Round(x, 0, MidpointRounding.AwayFromZero);

    [SqlFunction("ROUND")]
    public static double Round(double x) => Math.Round(x, MidpointRounding.AwayFromZero);

    /// <summary>ROUND(x, d): d digits after the point (a negative d rounds to tens, hundreds…); the type stays the argument's.</summary>
    [SqlFunction("ROUND", ResultType = nameof(SameAsFirst))]
    public static decimal Round(decimal x, int digits)
    {
        if (digits >= 0)
        {
            return decimal.Round(x, Math.Min(digits, 28), MidpointRounding.AwayFromZero);
        }
        var factor = Pow10(-digits);
        return decimal.Round(x / factor, 0, MidpointRounding.AwayFromZero) * factor;
    }

    [SqlFunction("ROUND")]
    public static double Round(double x, int digits)
    {
        if (double.IsNaN(x) || double.IsInfinity(x))
        {
            return x;
        }
        return (double)Round((decimal)x, digits);
    }

    [SqlFunction("ROUND")]
    public static int Round(int x, int digits) => digits >= 0 ? x : (int)Round((decimal)x, digits);

    [SqlFunction("ROUND")]
    public static long Round(long x, int digits) => digits >= 0 ? x : (long)Round((decimal)x, digits);

    [SqlFunction("FLOOR")]
    public static int Floor(int x) => x;

    [SqlFunction("FLOOR")]
    public static long Floor(long x) => x;

    [SqlFunction("FLOOR", ResultType = nameof(WholeDecimal))]
    public static decimal Floor(decimal x) => decimal.Floor(x);

    [SqlFunction("FLOOR")]
    public static double Floor(double x) => Math.Floor(x);

    [SqlFunction("CEIL", "CEILING")]
    public static int Ceil(int x) => x;

    [SqlFunction("CEIL", "CEILING")]
    public static long Ceil(long x) => x;

    [SqlFunction("CEIL", "CEILING", ResultType = nameof(WholeDecimal))]
    public static decimal Ceil(decimal x) => decimal.Ceiling(x);

    [SqlFunction("CEIL", "CEILING")]
    public static double Ceil(double x) => Math.Ceiling(x);

    [SqlFunction("POWER", "POW")]
    public static double Power(double x, double y) => Math.Pow(x, y);

    [SqlFunction("SQRT")]
    public static double Sqrt(double x) => Math.Sqrt(x);

    [SqlFunction("LN")]
    public static double Ln(double x) => Math.Log(x);

    [SqlFunction("LOG10")]
    public static double Log10(double x) => Math.Log10(x);

    [SqlFunction("LOG2")]
    public static double Log2(double x) => Math.Log2(x);

    /// <summary>LOG(x): the natural logarithm; LOG(base, x): the logarithm to that base.</summary>
    [SqlFunction("LOG")]
    public static double Log(double x) => Math.Log(x);

    [SqlFunction("LOG")]
    public static double Log(double logBase, double x) => Math.Log(x) / Math.Log(logBase);

    [SqlFunction("EXP")]
    public static double Exp(double x) => Math.Exp(x);

    [SqlFunction("SIGN")]
    public static int Sign(int x) => Math.Sign(x);

    [SqlFunction("SIGN")]
    public static long Sign(long x) => Math.Sign(x);

    [SqlFunction("SIGN")]
    public static double Sign(double x) => double.IsNaN(x) ? x : Math.Sign(x);

    [SqlFunction("PI")]
    public static double Pi() => Math.PI;

    [SqlFunction("E")]
    public static double E() => Math.E;

    [SqlFunction("SIN")]
    public static double Sin(double x) => Math.Sin(x);

    [SqlFunction("COS")]
    public static double Cos(double x) => Math.Cos(x);

    [SqlFunction("TAN")]
    public static double Tan(double x) => Math.Tan(x);

    [SqlFunction("DEGREES")]
    public static double Degrees(double x) => x * 180.0 / Math.PI;

    [SqlFunction("RADIANS")]
    public static double Radians(double x) => x * Math.PI / 180.0;

    /// <summary>RAND(): uniform in [0, 1), from the shared thread-safe generator (no seeded form).</summary>
    [SqlFunction("RAND", Deterministic = false)]
    public static double Rand() => Random.Shared.NextDouble();

    /// <summary>RAND_INTEGER(n): uniform in [0, n).</summary>
    [SqlFunction("RAND_INTEGER", Deterministic = false)]
    public static int RandInteger(int bound) => bound <= 0 ? 0 : Random.Shared.Next(bound);

    internal static DataType SameAsFirst(IReadOnlyList<DataType> arguments) => arguments[0];

    internal static DataType WholeDecimal(IReadOnlyList<DataType> arguments)
    {
        var type = arguments[0];
        return DataType.Decimal(Math.Clamp(type.Precision - type.Scale + (type.Scale > 0 ? 1 : 0), 1, DataType.MaxDecimalPrecision), 0);
    }

    private static decimal Pow10(int n)
    {
        var value = 1m;
        for (var i = 0; i < n && i < 28; i++)
        {
            value *= 10m;
        }
        return value;
    }
}
