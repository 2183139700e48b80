namespace Sluice.Server.PgWire;

/// <summary>
/// The session settings a connection starts with: what ParameterStatus reports at startup (the ones clients rely on:
/// <c>server_version</c>, <c>client_encoding</c>, <c>DateStyle</c>, <c>integer_datetimes</c>,
/// <c>standard_conforming_strings</c>, <c>TimeZone</c>…) and what SHOW answers. Stateless.
/// </summary>
internal static class PgSettings
{
    /// <summary>
    /// The PostgreSQL version the endpoint reports. Clients choose their catalog queries by it (psql's <c>\d</c>,
    /// Npgsql's type loading); the endpoint answers those of this version.
    /// </summary>
    public const string ServerVersion = "15.0";

    /// <summary><c>server_version_num</c> for <see cref="ServerVersion"/>.</summary>
    public const string ServerVersionNumber = "150000";

    /// <summary>What <c>version()</c> answers.</summary>
    public const string VersionText = "PostgreSQL 15.0 (Sluice; queries run on DuckDB), 64-bit";

    /// <summary>The settings reported with ParameterStatus right after authentication, in this order.</summary>
    public static readonly string[] Reported =
    [
        "server_version", "server_encoding", "client_encoding", "application_name", "DateStyle", "IntervalStyle",
        "integer_datetimes", "standard_conforming_strings", "TimeZone", "is_superuser", "session_authorization",
    ];

    /// <summary>The defaults of a session of <paramref name="user"/>.</summary>
    public static Dictionary<string, string> Defaults(string user, string applicationName) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["server_version"] = ServerVersion,
        ["server_version_num"] = ServerVersionNumber,
        ["server_encoding"] = "UTF8",
        ["client_encoding"] = "UTF8",
        ["application_name"] = applicationName,
        ["DateStyle"] = "ISO, MDY",
        ["IntervalStyle"] = "postgres",
        ["integer_datetimes"] = "on",
        ["standard_conforming_strings"] = "on",
        ["TimeZone"] = "UTC",
        ["is_superuser"] = "off",
        ["session_authorization"] = user,
        ["search_path"] = "\"$user\", public",
        ["transaction_isolation"] = "read committed",
        ["transaction_read_only"] = "on",
        ["default_transaction_read_only"] = "on",
        ["extra_float_digits"] = "1",
        ["max_identifier_length"] = "63",
        ["lc_collate"] = "C",
        ["lc_ctype"] = "C",
    };
}
