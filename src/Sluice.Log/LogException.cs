namespace Sluice.Log;

/// <summary>Base of the log's errors; the message names the topic, partition, offset or file involved.</summary>
public class LogException : Exception
{
    /// <summary>Creates an error with a message.</summary>
    /// <param name="message">One sentence with context and, where possible, the fix.</param>
    public LogException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an error with a message and cause.</summary>
    /// <param name="message">One sentence with context.</param>
    /// <param name="innerException">The cause.</param>
    public LogException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Data on disk failed its checksum or structure check. The log never deletes or shortens such data by itself:
/// reads return the intact records before the damage and then throw this, and
/// <see cref="PartitionLog.Repair"/> (<c>sluice log repair</c>) moves the damaged bytes to a quarantine file.
/// </summary>
/// <param name="message">Names the file, position, topic, partition and offsets, and the fix.</param>
/// <param name="damage">The damaged range, when the error is about a segment file.</param>
public sealed class LogCorruptionException(string message, LogDamage? damage = null) : LogException(message)
{
    /// <summary>The damaged range of a segment file; null for other files (topic config, transaction log).</summary>
    public LogDamage? Damage { get; } = damage;
}

/// <summary>A fetch asked for an offset below the log start or above the end of a partition.</summary>
/// <param name="message">Names topic, partition, requested offset and the valid range.</param>
public sealed class OffsetOutOfRangeException(string message) : LogException(message);

/// <summary>Another process (or another log instance) owns the data directory.</summary>
/// <param name="message">Names the directory and the holder (pid, host) when known.</param>
/// <param name="innerException">The I/O error from opening the lock file.</param>
public sealed class DataDirectoryLockedException(string message, Exception innerException) : LogException(message, innerException);

/// <summary>A transactional producer was fenced by a newer producer with the same transactional id.</summary>
/// <param name="message">Names the transactional id and both epochs.</param>
public sealed class ProducerFencedException(string message) : LogException(message);

/// <summary>A transaction operation is not valid in the transaction's current state.</summary>
/// <param name="message">Names the transactional id, sequence and state.</param>
public sealed class TransactionStateException(string message) : LogException(message);
