using Microsoft.AspNetCore.Http;

namespace Sluice.Server.Jobs;

/// <summary>
/// A job request the server refuses: <see cref="StatusCode"/> (400 malformed, 404 unknown job, 409 wrong state) and a
/// one-sentence message naming the job, field, line or savepoint. The endpoints answer it as a problem document.
/// </summary>
internal sealed class JobRequestException(int statusCode, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The HTTP status to answer.</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>A 400: the submission is malformed.</summary>
    public static JobRequestException BadRequest(string message, Exception? inner = null) => new(StatusCodes.Status400BadRequest, message, inner);

    /// <summary>A 404 naming the unknown job id.</summary>
    public static JobRequestException NotFound(string id) => new(StatusCodes.Status404NotFound, $"No job has id '{id}': list the jobs with GET /api/jobs.");

    /// <summary>A 409: the job is not in a state that allows the operation.</summary>
    public static JobRequestException Conflict(string message) => new(StatusCodes.Status409Conflict, message);
}
