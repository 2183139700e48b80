using System.Globalization;
using System.Text;

namespace Sluice.Models.Execution;

/// <summary>
/// A seed CSV's header and inferred column types, for targets without a CSV reader of their own (PostgreSQL): a column
/// is <c>bigint</c> when every non-empty value is an integer, <c>double precision</c> when every one is a number,
/// <c>date</c> for <c>yyyy-MM-dd</c>, <c>timestamp</c> for ISO date-times, <c>boolean</c> for true/false, else <c>text</c>.
/// Empty values are nulls. (DuckDB targets use DuckDB's own <c>read_csv</c> inference.)
/// </summary>
internal sealed record SeedCsv(IReadOnlyList<string> Columns, IReadOnlyList<string> Types)
{
    public static SeedCsv Read(string path, string file)
    {
        var rows = Parse(File.ReadAllText(path), file);
        if (rows.Count == 0)
        {
            throw new Project.ModelProjectExceptionFactory(file).Create(1, "the seed is empty: its first line must name the columns");
        }
        var header = rows[0];
        var types = new string[header.Count];
        for (var c = 0; c < header.Count; c++)
        {
            var values = rows.Skip(1).Select(r => c < r.Count ? r[c] : "").Where(v => v.Length > 0).ToList();
            types[c] = values.Count == 0 ? "text"
                : values.All(v => long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) ? "bigint"
                : values.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) ? "double precision"
                : values.All(v => DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)) ? "date"
                : values.All(v => DateTime.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.None, out _) && v.Length >= 16 && v[4] == '-') ? "timestamp"
                : values.All(v => v is "true" or "false" or "True" or "False" or "TRUE" or "FALSE") ? "boolean"
                : "text";
        }
        return new SeedCsv(header, types);
    }

    /// <summary>RFC 4180 records: quoted fields may hold commas, doubled quotes and newlines.</summary>
    public static List<List<string>> Parse(string text, string file)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"':
                    quoted = true;
                    break;
                case ',':
                    row.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    row.Add(field.ToString());
                    field.Clear();
                    rows.Add(row);
                    row = [];
                    line++;
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }
        if (quoted)
        {
            throw new Project.ModelProjectExceptionFactory(file).Create(line, "a quoted field is never closed");
        }
        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }
        return rows;
    }
}
