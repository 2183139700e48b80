namespace Sluice.Security;

/// <summary>
/// Which configuration keys hold secrets (passwords, keys, tokens, JAAS and OAuth configs), so that their values are
/// never printed, logged or shown by DESCRIBE, EXPLAIN or a plan: every place that shows options masks them with
/// <see cref="Mask"/>. The rule matches Flink's and librdkafka's key names; it errs on the side of hiding.
/// </summary>
public static class SecretOptions
{
    /// <summary>What a secret value is shown as.</summary>
    public const string Masked = "******";

    private static readonly string[] s_fragments =
        ["password", "secret", "jaas", "token", "oauthbearer.config", "apikey", "api-key", "api.key", "credential", "private-key", "private.key", "auth-params", "basic-auth", "ssl.key.pem", "account.key"];

    /// <summary>True when the value of <paramref name="key"/> is a secret (case-insensitive match on the key's name).</summary>
    public static bool IsSecret(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (var fragment in s_fragments)
        {
            if (key.Contains(fragment, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><paramref name="value"/>, or <see cref="Masked"/> when <paramref name="key"/> is a secret.</summary>
    public static string Mask(string key, string value) => IsSecret(key) ? Masked : value;
}
