using System.Text;
using System.Text.Json;

namespace Sluice.Server.Ingest;

/// <summary>
/// The simplest schema check: each of a list of top-level fields (at most 64) must be present and not null.
/// Thread-safe (immutable); allocates only to describe a failure.
/// </summary>
internal sealed class RequiredFieldsValidator : IRecordValidator
{
    private readonly string[] _names;
    private readonly byte[][] _utf8;

    /// <summary>Creates the check for <paramref name="fields"/> (1 to 64 names).</summary>
    public RequiredFieldsValidator(params string[] fields)
    {
        ArgumentOutOfRangeException.ThrowIfZero(fields.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fields.Length, 64);
        _names = fields;
        _utf8 = new byte[fields.Length][];
        for (var i = 0; i < fields.Length; i++)
        {
            _utf8[i] = Encoding.UTF8.GetBytes(fields[i]);
        }
    }

    /// <inheritdoc />
    public bool TryValidate(ReadOnlySpan<byte> json, out string? field, out string? problem)
    {
        ulong seen = 0;
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var matched = -1;
            for (var i = 0; i < _utf8.Length; i++)
            {
                if (reader.ValueTextEquals(_utf8[i]))
                {
                    matched = i;
                    break;
                }
            }
            reader.Read();
            if (matched >= 0 && reader.TokenType != JsonTokenType.Null)
            {
                seen |= 1UL << matched;
            }
            reader.Skip();
        }
        for (var i = 0; i < _names.Length; i++)
        {
            if ((seen & (1UL << i)) == 0)
            {
                field = _names[i];
                problem = $"required field '{_names[i]}' is missing or null";
                return false;
            }
        }
        field = null;
        problem = null;
        return true;
    }
}
