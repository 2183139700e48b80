using System.Text;
using Sluice.Security;
using Sluice.Sql.Syntax;

namespace Sluice.Sql;

/// <summary>Helpers over the text of SQL scripts that are shown to people (job views, logs).</summary>
public static class SqlScripts
{
    /// <summary>
    /// <paramref name="script"/> with the value of every secret option (<c>'password' = '…'</c>, and every key
    /// <see cref="SecretOptions.IsSecret"/> names) replaced by <c>'******'</c>; everything else, comments and layout
    /// included, is kept. A script that does not tokenize is not shown at all: its secrets cannot be found reliably.
    /// </summary>
    public static string MaskSecrets(string script)
    {
        ArgumentNullException.ThrowIfNull(script);
        IReadOnlyList<SqlToken> tokens;
        try
        {
            tokens = SqlLexer.Tokenize(script);
        }
        catch (SqlException)
        {
            return "-- (the script is hidden: it is not valid SQL, so its secret options cannot be masked)";
        }

        StringBuilder? masked = null;
        int copied = 0;
        for (int i = 0; i + 2 < tokens.Count; i++)
        {
            if (tokens[i].Kind is SqlTokenKind.String && tokens[i + 1].Kind is SqlTokenKind.Equal
                && tokens[i + 2].Kind is SqlTokenKind.String && SecretOptions.IsSecret(tokens[i].Value!))
            {
                var value = tokens[i + 2];
                masked ??= new StringBuilder(script.Length);
                masked.Append(script, copied, value.Start - copied).Append('\'').Append(SecretOptions.Masked).Append('\'');
                copied = value.End;
            }
        }

        return masked is null ? script : masked.Append(script, copied, script.Length - copied).ToString();
    }
}
