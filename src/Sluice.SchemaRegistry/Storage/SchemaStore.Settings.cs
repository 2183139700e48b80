using Sluice.SchemaRegistry.Api;
using Sluice.SchemaRegistry.Compatibility;

namespace Sluice.SchemaRegistry.Storage;

/// <summary>Compatibility levels and modes, global and per subject.</summary>
internal sealed partial class SchemaStore
{
    /// <summary>The global compatibility level (<see cref="DefaultLevel"/> until set).</summary>
    public CompatibilityLevel GlobalLevel
    {
        get
        {
            lock (_lock)
            {
                return _globalLevel ?? DefaultLevel;
            }
        }
    }

    /// <summary>The subject's own level; null when it has none (Confluent answers 40408 then).</summary>
    public CompatibilityLevel? SubjectLevel(string subject)
    {
        lock (_lock)
        {
            return _subjectLevels.TryGetValue(subject, out var level) ? level : null;
        }
    }

    /// <summary>Sets the global level (<paramref name="subject"/> null) or a subject's.</summary>
    /// <exception cref="RegistryException">42205 read-only, 50001 the write failed.</exception>
    public void SetLevel(string? subject, CompatibilityLevel level)
    {
        lock (_lock)
        {
            EnsureWritable(subject);
            AppendAndApply([(new SchemaLogKey(SchemaLogKeyType.Config, subject), SchemaLogRecord.EncodeConfig(level))]);
        }
    }

    /// <summary>Removes the global level (back to the default) or a subject's own; returns the level removed.</summary>
    /// <exception cref="RegistryException">40401 no such subject, 40408 the subject has no level of its own.</exception>
    public CompatibilityLevel DeleteLevel(string? subject)
    {
        lock (_lock)
        {
            EnsureWritable(subject);
            CompatibilityLevel removed;
            if (subject is null)
            {
                removed = _globalLevel ?? DefaultLevel;
                if (_globalLevel is null)
                {
                    return removed;
                }
            }
            else if (!_subjectLevels.TryGetValue(subject, out removed))
            {
                throw _subjects.ContainsKey(subject) ? RegistryException.SubjectLevelNotConfigured(subject) : RegistryException.SubjectNotFound(subject);
            }
            AppendAndApply([(new SchemaLogKey(SchemaLogKeyType.Config, subject), null)]);
            return removed;
        }
    }

    /// <summary>The global mode (READWRITE until set).</summary>
    public RegistryMode GlobalMode
    {
        get
        {
            lock (_lock)
            {
                return _globalMode ?? RegistryMode.ReadWrite;
            }
        }
    }

    /// <summary>The subject's own mode; null when it has none.</summary>
    public RegistryMode? SubjectMode(string subject)
    {
        lock (_lock)
        {
            return _subjectModes.TryGetValue(subject, out var mode) ? mode : null;
        }
    }

    /// <summary>
    /// Sets the global mode (<paramref name="subject"/> null) or a subject's. IMPORT needs the registry (or the
    /// subject) to be empty unless <paramref name="force"/>, so imported ids cannot collide with assigned ones.
    /// </summary>
    /// <exception cref="RegistryException">42205 IMPORT over existing schemas, 50001 the write failed.</exception>
    public void SetMode(string? subject, RegistryMode mode, bool force)
    {
        lock (_lock)
        {
            if (mode == RegistryMode.Import && !force)
            {
                bool hasSchemas = subject is null ? _subjects.Count > 0 : _subjects.ContainsKey(subject);
                if (hasSchemas)
                {
                    throw RegistryException.NotPermitted(subject is null
                        ? "Cannot import since found existing subjects; delete them first or pass force=true."
                        : $"Cannot import since subject '{subject}' has versions; delete them first or pass force=true.");
                }
            }
            AppendAndApply([(new SchemaLogKey(SchemaLogKeyType.Mode, subject), SchemaLogRecord.EncodeMode(mode))]);
        }
    }

    /// <summary>Removes a subject's own mode; returns it.</summary>
    /// <exception cref="RegistryException">40401 no such subject, 40409 the subject has no mode of its own.</exception>
    public RegistryMode DeleteMode(string subject)
    {
        lock (_lock)
        {
            if (!_subjectModes.TryGetValue(subject, out var removed))
            {
                throw _subjects.ContainsKey(subject) ? RegistryException.SubjectModeNotConfigured(subject) : RegistryException.SubjectNotFound(subject);
            }
            AppendAndApply([(new SchemaLogKey(SchemaLogKeyType.Mode, subject), null)]);
            return removed;
        }
    }

    private CompatibilityLevel LevelOf(string subject) =>
        _subjectLevels.TryGetValue(subject, out var level) ? level : _globalLevel ?? DefaultLevel;

    private RegistryMode ModeOf(string? subject) =>
        subject is not null && _subjectModes.TryGetValue(subject, out var mode) ? mode : _globalMode ?? RegistryMode.ReadWrite;

    private void EnsureWritable(string? subject)
    {
        if (ModeOf(subject) == RegistryMode.ReadOnly)
        {
            throw RegistryException.NotPermitted(subject is null ? "The registry is in read-only mode." : $"Subject '{subject}' is in read-only mode.");
        }
    }
}
