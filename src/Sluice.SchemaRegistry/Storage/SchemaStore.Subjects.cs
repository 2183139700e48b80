using Sluice.SchemaRegistry.Api;
using Sluice.SchemaRegistry.Compatibility;
using Sluice.SchemaRegistry.Schemas;

namespace Sluice.SchemaRegistry.Storage;

/// <summary>A schema as a request gives it: to register, look up or test.</summary>
/// <param name="Type">Its kind.</param>
/// <param name="Schema">Its text.</param>
/// <param name="References">Its references (empty for none).</param>
/// <param name="Id">The id to register it with (IMPORT mode only).</param>
/// <param name="Version">The version to register it as (IMPORT mode only).</param>
internal sealed record SchemaRequest(SchemaType Type, string Schema, IReadOnlyList<SchemaReference> References, int? Id = null, int? Version = null);

/// <summary>The latest live version of a subject, with its schema parsed (references resolved).</summary>
/// <param name="Subject">The subject.</param>
/// <param name="Version">The version.</param>
/// <param name="Id">The schema id.</param>
/// <param name="Schema">The parsed schema.</param>
internal sealed record LatestSchema(string Subject, int Version, int Id, ParsedSchema Schema);

/// <summary>Subjects and versions: registration, lookup, listing and deletion.</summary>
internal sealed partial class SchemaStore
{
    /// <summary>
    /// Registers <paramref name="request"/> under <paramref name="subject"/> and returns its id. A schema already
    /// registered (live) under the subject returns its id without a new version; one registered anywhere returns
    /// that id under a new version; a new schema gets the next id. The candidate is checked against the subject's live
    /// versions at its compatibility level first.
    /// </summary>
    /// <param name="subject">The subject.</param>
    /// <param name="request">The schema.</param>
    /// <param name="normalize">Store the schema's canonical text instead of the text as given (Confluent's <c>?normalize=true</c>).</param>
    /// <exception cref="RegistryException">42201 invalid schema, 409 incompatible, 42205 read-only mode or an id
    /// outside IMPORT mode, 50001 the write failed.</exception>
    public int Register(string subject, SchemaRequest request, bool normalize = false)
    {
        lock (_lock)
        {
            var mode = ModeOf(subject);
            if (mode == RegistryMode.ReadOnly)
            {
                throw RegistryException.NotPermitted($"Subject '{subject}' is in read-only mode.");
            }
            bool import = mode == RegistryMode.Import;
            if (!import && (request.Id is not null || request.Version is not null))
            {
                throw RegistryException.NotPermitted($"Subject '{subject}' is not in import mode: a registration cannot choose its id or version (set the mode to IMPORT first).");
            }
            if (import && request.Id is null)
            {
                throw RegistryException.NotPermitted($"Subject '{subject}' is in import mode: a registration must give its id.");
            }

            var parsed = ParseRequest(request);
            string content = ContentKey(parsed);
            _subjects.TryGetValue(subject, out var versions);
            if (versions is not null && !import)
            {
                foreach (var entry in versions.Values)
                {
                    if (!entry.Deleted && _schemas[entry.Id].ContentKey == content)
                    {
                        return entry.Id;
                    }
                }
            }

            if (!import)
            {
                var problems = CheckCompatibility(subject, LevelOf(subject), parsed, LiveVersions(subject));
                if (problems.Count > 0)
                {
                    throw RegistryException.Incompatible($"Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{string.Join(", ", problems)}]");
                }
            }

            int id;
            if (request.Id is { } wanted)
            {
                if (wanted < 1)
                {
                    throw RegistryException.InvalidRequest($"Schema id {wanted} is not valid: ids start at 1.");
                }
                if (_schemas.TryGetValue(wanted, out var holder) && holder.ContentKey != content)
                {
                    throw RegistryException.NotPermitted($"Overwrite new schema with id {wanted} is not permitted: id {wanted} is already registered with another schema.");
                }
                id = wanted;
            }
            else
            {
                id = _idByContent.TryGetValue(content, out int existing) ? existing : _highestId + 1;
            }

            int version = request.Version ?? (versions is { Count: > 0 } ? versions.Keys.Max() + 1 : 1);
            if (version < 1)
            {
                throw RegistryException.InvalidVersion(version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            if (versions is not null && versions.ContainsKey(version))
            {
                throw RegistryException.NotPermitted($"Subject '{subject}' already has version {version}; an import cannot overwrite it.");
            }

            var records = new List<(SchemaLogKey, byte[]?)>
            {
                (new SchemaLogKey(SchemaLogKeyType.Schema, subject, version),
                 SchemaLogRecord.EncodeSchema(new SchemaVersionRecord(subject, version, id, request.Type, request.References, normalize ? parsed.CanonicalText : request.Schema, Deleted: false))),
            };
            if (id > _highestId)
            {
                records.Add((new SchemaLogKey(SchemaLogKeyType.IdHighWater, null), SchemaLogRecord.EncodeIdHighWater(id)));
            }
            AppendAndApply(records);
            var stored = _schemas[id];
            if (stored.ContentKey is null)
            {
                stored.ContentKey = content;
                _idByContent.TryAdd(content, id);
            }
            return id;
        }
    }

    /// <summary>The version of <paramref name="subject"/> that has the schema of <paramref name="request"/>.</summary>
    /// <exception cref="RegistryException">40401 no such subject, 40403 the schema is not registered under it, 42201 invalid schema.</exception>
    public SchemaVersionRecord Lookup(string subject, SchemaRequest request, bool includeDeleted)
    {
        lock (_lock)
        {
            var versions = LiveSubject(subject, includeDeleted);
            string content = ContentKey(ParseRequest(request));
            foreach (var entry in versions.Values)
            {
                if ((includeDeleted || !entry.Deleted) && _schemas[entry.Id].ContentKey == content)
                {
                    return Record(subject, entry);
                }
            }
            throw RegistryException.SchemaNotFound($"not registered under subject '{subject}'");
        }
    }

    /// <summary>The subjects with a live version (or any version when <paramref name="includeDeleted"/>), sorted.</summary>
    public IReadOnlyList<string> Subjects(bool includeDeleted)
    {
        lock (_lock)
        {
            return [.. _subjects.Where(s => includeDeleted || s.Value.Values.Any(v => !v.Deleted)).Select(s => s.Key).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>The latest live (not soft-deleted) version of <paramref name="subject"/> with its parsed schema, or null
    /// when the subject has none. See <see cref="Changes"/> for knowing when to ask again.</summary>
    /// <exception cref="InvalidSchemaException">The stored schema no longer parses (a schema it references was hard-deleted).</exception>
    public LatestSchema? Latest(string subject)
    {
        lock (_lock)
        {
            if (!_subjects.TryGetValue(subject, out var versions))
            {
                return null;
            }
            SubjectVersion? latest = null;
            foreach (var entry in versions.Values)
            {
                if (!entry.Deleted)
                {
                    latest = entry;
                }
            }
            return latest is null ? null : new LatestSchema(subject, latest.Version, latest.Id, _schemas[latest.Id].Parse(ResolveReference));
        }
    }

    /// <summary>The versions of <paramref name="subject"/>, ascending.</summary>
    /// <exception cref="RegistryException">40401 the subject has no (live) version.</exception>
    public IReadOnlyList<int> Versions(string subject, bool includeDeleted)
    {
        lock (_lock)
        {
            return [.. LiveSubject(subject, includeDeleted).Values.Where(v => includeDeleted || !v.Deleted).Select(v => v.Version)];
        }
    }

    /// <summary>One version of <paramref name="subject"/>: a number, or <c>latest</c> (also <c>-1</c>).</summary>
    /// <exception cref="RegistryException">42202 not a version, 40401 no such subject, 40402 no such (live) version.</exception>
    public SchemaVersionRecord Version(string subject, string version, bool includeDeleted)
    {
        lock (_lock)
        {
            return Record(subject, FindVersion(subject, version, includeDeleted));
        }
    }

    /// <summary>The ids of the schemas that reference version <paramref name="version"/> of <paramref name="subject"/>.</summary>
    public IReadOnlyList<int> ReferencedBy(string subject, string version)
    {
        lock (_lock)
        {
            var entry = FindVersion(subject, version, includeDeleted: false);
            return [.. _schemas.Values
                .Where(s => s.References.Any(r => r.Subject == subject && r.Version == entry.Version))
                .Select(s => s.Id)
                .Order()];
        }
    }

    /// <summary>The schema with id <paramref name="id"/>.</summary>
    /// <param name="id">The id.</param>
    /// <param name="subject">When given, the schema must be registered under it.</param>
    /// <exception cref="RegistryException">40403 no such id (or not under the subject).</exception>
    public StoredSchema SchemaById(int id, string? subject = null)
    {
        lock (_lock)
        {
            if (!_schemas.TryGetValue(id, out var schema) || (subject is not null && !schema.Usages.Any(u => u.Subject == subject)))
            {
                throw RegistryException.SchemaNotFound(subject is null ? $"{id}" : $"{id} under subject '{subject}'");
            }
            return schema;
        }
    }

    /// <summary>The (subject, version) pairs registered with id <paramref name="id"/>, sorted.</summary>
    /// <exception cref="RegistryException">40403 no such id.</exception>
    public IReadOnlyList<(string Subject, int Version)> VersionsOfId(int id, bool includeDeleted)
    {
        lock (_lock)
        {
            if (!_schemas.TryGetValue(id, out var schema))
            {
                throw RegistryException.SchemaNotFound($"{id}");
            }
            return [.. schema.Usages
                .Where(u => includeDeleted || !_subjects[u.Subject][u.Version].Deleted)
                .OrderBy(u => u.Subject, StringComparer.Ordinal)
                .ThenBy(u => u.Version)];
        }
    }

    /// <summary>
    /// Deletes <paramref name="subject"/>: soft (every live version marked deleted) or, when
    /// <paramref name="permanent"/>, hard (every version removed, with the subject's own level and mode); a hard delete
    /// needs a soft one first. Returns the versions deleted.
    /// </summary>
    /// <exception cref="RegistryException">40401 no such subject, 40404 already soft-deleted, 40405 hard before soft,
    /// 42205 read-only, 42206 a version is referenced by another schema.</exception>
    public IReadOnlyList<int> DeleteSubject(string subject, bool permanent)
    {
        lock (_lock)
        {
            EnsureWritable(subject);
            if (!_subjects.TryGetValue(subject, out var versions))
            {
                throw RegistryException.SubjectNotFound(subject);
            }
            var records = new List<(SchemaLogKey, byte[]?)>();
            List<int> deleted = [];
            if (!permanent)
            {
                if (versions.Values.All(v => v.Deleted))
                {
                    throw RegistryException.SubjectSoftDeleted(subject);
                }
                foreach (var entry in versions.Values.Where(v => !v.Deleted))
                {
                    EnsureNotReferenced(subject, entry.Version);
                    records.Add(SoftDeleteRecord(subject, entry));
                    deleted.Add(entry.Version);
                }
            }
            else
            {
                if (versions.Values.Any(v => !v.Deleted))
                {
                    throw RegistryException.SubjectNotSoftDeleted(subject);
                }
                foreach (var entry in versions.Values)
                {
                    records.Add((new SchemaLogKey(SchemaLogKeyType.Schema, subject, entry.Version), null));
                    deleted.Add(entry.Version);
                }
                if (_subjectLevels.ContainsKey(subject))
                {
                    records.Add((new SchemaLogKey(SchemaLogKeyType.Config, subject), null));
                }
                if (_subjectModes.ContainsKey(subject))
                {
                    records.Add((new SchemaLogKey(SchemaLogKeyType.Mode, subject), null));
                }
            }
            AppendAndApply(records);
            return deleted;
        }
    }

    /// <summary>Deletes one version: soft, or hard (<paramref name="permanent"/>) after a soft delete. Returns its number.</summary>
    /// <exception cref="RegistryException">40401, 40402, 40406 already soft-deleted, 40407 hard before soft, 42202,
    /// 42205, 42206 referenced by another schema.</exception>
    public int DeleteVersion(string subject, string version, bool permanent)
    {
        lock (_lock)
        {
            EnsureWritable(subject);
            var entry = FindVersion(subject, version, includeDeleted: true);
            EnsureNotReferenced(subject, entry.Version);
            if (!permanent)
            {
                if (entry.Deleted)
                {
                    throw RegistryException.VersionSoftDeleted(subject, entry.Version);
                }
                AppendAndApply([SoftDeleteRecord(subject, entry)]);
            }
            else
            {
                if (!entry.Deleted)
                {
                    throw RegistryException.VersionNotSoftDeleted(subject, entry.Version);
                }
                AppendAndApply([(new SchemaLogKey(SchemaLogKeyType.Schema, subject, entry.Version), null)]);
            }
            return entry.Version;
        }
    }

    /// <summary>
    /// Tests <paramref name="request"/> against version <paramref name="version"/> of <paramref name="subject"/>, or
    /// against every live version the subject's level names when <paramref name="version"/> is null. Returns the
    /// reasons it is incompatible (empty when compatible).
    /// </summary>
    /// <exception cref="RegistryException">40401, 40402, 42201, 42202.</exception>
    public IReadOnlyList<string> TestCompatibility(string subject, string? version, SchemaRequest request)
    {
        lock (_lock)
        {
            var parsed = ParseRequest(request);
            var level = LevelOf(subject);
            if (version is null)
            {
                return CheckCompatibility(subject, level, parsed, LiveVersions(subject));
            }
            var entry = FindVersion(subject, version, includeDeleted: false);
            return CheckCompatibility(subject, level, parsed, [(entry.Version, _schemas[entry.Id].Parse(ResolveReference))]);
        }
    }

    private (SchemaLogKey, byte[]?) SoftDeleteRecord(string subject, SubjectVersion entry)
    {
        var schema = _schemas[entry.Id];
        return (new SchemaLogKey(SchemaLogKeyType.Schema, subject, entry.Version),
                SchemaLogRecord.EncodeSchema(new SchemaVersionRecord(subject, entry.Version, entry.Id, schema.Type, schema.References, schema.Text, Deleted: true)));
    }

    /// <summary>Refuses to delete a version that a live version of another schema references (Confluent's 42206).</summary>
    private void EnsureNotReferenced(string subject, int version)
    {
        var users = _schemas.Values
            .Where(s => s.References.Any(r => r.Subject == subject && r.Version == version)
                && s.Usages.Any(u => !_subjects[u.Subject][u.Version].Deleted))
            .Select(s => s.Id)
            .Order()
            .ToList();
        if (users.Count > 0)
        {
            throw RegistryException.ReferenceExists(subject, version, users);
        }
    }

    private SchemaVersionRecord Record(string subject, SubjectVersion entry)
    {
        var schema = _schemas[entry.Id];
        return new SchemaVersionRecord(subject, entry.Version, entry.Id, schema.Type, schema.References, schema.Text, entry.Deleted);
    }

    private ParsedSchema ParseRequest(SchemaRequest request)
    {
        try
        {
            return SchemaParser.Parse(request.Type, request.Schema, request.References, reference =>
                ResolveReference(reference) ?? throw new InvalidSchemaException($"Invalid schema: reference '{reference.Name}' names subject '{reference.Subject}' version {reference.Version}, which is not registered."));
        }
        catch (InvalidSchemaException e)
        {
            throw RegistryException.InvalidSchema(e.Message, e);
        }
    }

    private List<(int Version, ParsedSchema Schema)> LiveVersions(string subject)
    {
        List<(int, ParsedSchema)> live = [];
        if (_subjects.TryGetValue(subject, out var versions))
        {
            foreach (var entry in versions.Values)
            {
                if (!entry.Deleted)
                {
                    live.Add((entry.Version, _schemas[entry.Id].Parse(ResolveReference)));
                }
            }
        }
        return live;
    }

    private static IReadOnlyList<string> CheckCompatibility(string subject, CompatibilityLevel level, ParsedSchema candidate, List<(int Version, ParsedSchema Schema)> previous)
    {
        if (level == CompatibilityLevel.None || previous.Count == 0)
        {
            return [];
        }
        foreach (var (version, schema) in previous)
        {
            if (schema.Type != candidate.Type)
            {
                return [$"Subject '{subject}' version {version} is a {SchemaTypeNames.Name(schema.Type)} schema; the new schema is {SchemaTypeNames.Name(candidate.Type)}, and a subject's versions keep one type."];
            }
        }
        return CompatibilitySeam.Check(level, candidate, previous);
    }

    private SortedDictionary<int, SubjectVersion> LiveSubject(string subject, bool includeDeleted)
    {
        if (!_subjects.TryGetValue(subject, out var versions) || (!includeDeleted && versions.Values.All(v => v.Deleted)))
        {
            throw RegistryException.SubjectNotFound(subject);
        }
        return versions;
    }

    private SubjectVersion FindVersion(string subject, string version, bool includeDeleted)
    {
        bool latest = version is "latest" or "-1";
        int number = 0;
        if (!latest && (!int.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number) || number < 1))
        {
            throw RegistryException.InvalidVersion(version);
        }
        var versions = LiveSubject(subject, includeDeleted);
        if (latest)
        {
            return versions.Values.LastOrDefault(v => includeDeleted || !v.Deleted) ?? throw RegistryException.VersionNotFound(subject, version);
        }
        return versions.TryGetValue(number, out var entry) && (includeDeleted || !entry.Deleted)
            ? entry
            : throw RegistryException.VersionNotFound(subject, version);
    }
}
