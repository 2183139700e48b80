namespace Sluice.SchemaRegistry.Api;

/// <summary>
/// A request the registry refuses, carrying Confluent's error code and message; the REST API answers it as
/// <c>{"error_code":…,"message":…}</c> with <see cref="HttpStatus"/>. Five-digit codes carry their HTTP status in the
/// first three digits (40401 → 404); 409 (incompatible) is its own status.
/// </summary>
internal sealed class RegistryException : Exception
{
    private RegistryException(int errorCode, string message) : base(message)
    {
        ErrorCode = errorCode;
    }

    private RegistryException(int errorCode, string message, Exception inner) : base(message, inner)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Confluent's error code (40401, 42201, 409, …).</summary>
    public int ErrorCode { get; }

    /// <summary>The HTTP status the code maps to.</summary>
    public int HttpStatus => ErrorCode >= 10_000 ? ErrorCode / 100 : ErrorCode;

    /// <summary>40401: the subject does not exist (or only has hard-deleted versions).</summary>
    public static RegistryException SubjectNotFound(string subject) => new(40401, $"Subject '{subject}' not found.");

    /// <summary>40402: the subject has no such version.</summary>
    public static RegistryException VersionNotFound(string subject, string version) => new(40402, $"Version {version} not found for subject '{subject}'.");

    /// <summary>40403: no schema has the id, or the schema is not registered under the subject.</summary>
    public static RegistryException SchemaNotFound(string what) => new(40403, $"Schema {what} not found.");

    /// <summary>40404: the subject was soft-deleted.</summary>
    public static RegistryException SubjectSoftDeleted(string subject) =>
        new(40404, $"Subject '{subject}' was soft deleted. Set permanent=true to delete permanently.");

    /// <summary>40405: a permanent delete of a subject that was not soft-deleted first.</summary>
    public static RegistryException SubjectNotSoftDeleted(string subject) =>
        new(40405, $"Subject '{subject}' was not deleted first before being permanently deleted.");

    /// <summary>40406: the version was soft-deleted.</summary>
    public static RegistryException VersionSoftDeleted(string subject, int version) =>
        new(40406, $"Subject '{subject}' Version {version} was soft deleted. Set permanent=true to delete permanently.");

    /// <summary>40407: a permanent delete of a version that was not soft-deleted first.</summary>
    public static RegistryException VersionNotSoftDeleted(string subject, int version) =>
        new(40407, $"Subject '{subject}' Version {version} was not deleted first before being permanently deleted.");

    /// <summary>40408: the subject has no compatibility level of its own.</summary>
    public static RegistryException SubjectLevelNotConfigured(string subject) =>
        new(40408, $"Subject '{subject}' does not have subject-level compatibility configured.");

    /// <summary>40409: the subject has no mode of its own.</summary>
    public static RegistryException SubjectModeNotConfigured(string subject) =>
        new(40409, $"Subject '{subject}' does not have subject-level mode configured.");

    /// <summary>409: the schema is incompatible with earlier versions.</summary>
    public static RegistryException Incompatible(string message) => new(409, message);

    /// <summary>42201: the schema does not parse (the message says where).</summary>
    public static RegistryException InvalidSchema(string message, Exception? inner = null) =>
        inner is null ? new(42201, message) : new(42201, message, inner);

    /// <summary>42202: the version is neither a positive number nor <c>latest</c>.</summary>
    public static RegistryException InvalidVersion(string version) =>
        new(42202, $"The specified version '{version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");

    /// <summary>42203: the compatibility level is not one of Confluent's.</summary>
    public static RegistryException InvalidCompatibilityLevel(string? level) =>
        new(42203, $"Invalid compatibility level '{level}'. Valid values are none, backward, forward, full, backward_transitive, forward_transitive and full_transitive.");

    /// <summary>42204: the mode is not READWRITE, READONLY or IMPORT.</summary>
    public static RegistryException InvalidMode(string? mode) =>
        new(42204, $"Invalid mode '{mode}'. Valid values are READWRITE, READONLY and IMPORT.");

    /// <summary>42205: the operation is not allowed (a write in READONLY mode, an explicit id outside IMPORT…).</summary>
    public static RegistryException NotPermitted(string message) => new(42205, message);

    /// <summary>42201 for a malformed request body (Confluent answers an unparseable body the same way).</summary>
    public static RegistryException InvalidRequest(string message) => new(42201, message);

    /// <summary>50001: the <c>_schemas</c> topic could not be read or written.</summary>
    public static RegistryException StoreError(string message, Exception inner) => new(50001, message, inner);
}
