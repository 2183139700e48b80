using Sluice.Connectors.Delta.Log;
using Sluice.Formats.Parquet;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Reading;

/// <summary>
/// Reads the rows of a snapshot: plans the files (skipping those the predicate excludes by partition value or min/max
/// statistics), then reads each file's Parquet columns of the data schema and materialises the partition columns from
/// the file's partition values. Rows come in the table schema's column order. Not thread-safe; one enumeration at a time.
/// </summary>
internal sealed class DeltaScan
{
    private readonly DeltaSnapshot _snapshot;
    private readonly DeltaPredicate? _predicate;
    private readonly int _predicateIndex = -1;
    private readonly IComparable? _literal;
    private readonly bool _predicateOnPartition;
    private Schema? _dataSchema;
    private int[]? _targetIndexes;
    private int[]? _partitionIndexes;

    /// <summary>Creates the scan of <paramref name="snapshot"/>, filtered by <paramref name="predicate"/> when given.</summary>
    /// <exception cref="ArgumentException">The predicate names a column the table does not have, or its literal does not fit the column.</exception>
    public DeltaScan(DeltaSnapshot snapshot, DeltaPredicate? predicate)
    {
        _snapshot = snapshot;
        _predicate = predicate;
        if (predicate is not null)
        {
            _predicateIndex = snapshot.Schema.IndexOf(predicate.Column);
            if (_predicateIndex < 0)
            {
                throw new ArgumentException($"The predicate names column '{predicate.Column}', which table '{snapshot.TablePath}' does not have; its columns are: {string.Join(", ", snapshot.Schema.Select(f => f.Name))}.", nameof(predicate));
            }
            _literal = predicate.Literal(snapshot.Schema[_predicateIndex].Type);
            _predicateOnPartition = snapshot.PartitionColumns.Contains(predicate.Column);
        }
    }

    /// <summary>Whether <paramref name="file"/> may hold rows the predicate matches (always true without a predicate).</summary>
    public bool MayMatch(AddFile file) =>
        _predicate is null || _predicate.MayMatch(file, _snapshot.Schema, _predicateIndex, _predicateOnPartition, _literal!);

    /// <summary>Whether the predicate is on a partition column, so that every row of a planned file matches.</summary>
    public bool IsPartitionPredicate => _predicateOnPartition;

    /// <summary>Whether <paramref name="row"/> (of the table schema) satisfies the predicate (always true without one).</summary>
    public bool Matches(Row row) =>
        _predicate is null || _predicate.Matches(DeltaPredicate.ValueOf(row, _predicateIndex), _literal!);

    /// <summary>The planned files, in path order.</summary>
    public List<AddFile> PlanFiles()
    {
        var files = new List<AddFile>(_snapshot.ActiveFiles.Count);
        foreach (var file in _snapshot.ActiveFiles)
        {
            if (MayMatch(file))
            {
                files.Add(file);
            }
        }
        return files;
    }

    /// <summary>The matching rows of the planned files (a new <see cref="Row"/> each).</summary>
    /// <exception cref="DeltaException">A data file is missing or is not Parquet with the table's columns, naming it.</exception>
    public IEnumerable<Row> ReadRows()
    {
        foreach (var file in PlanFiles())
        {
            foreach (var row in ReadFile(file))
            {
                if (Matches(row))
                {
                    yield return row;
                }
            }
        }
    }

    /// <summary>Every row of <paramref name="file"/> (unfiltered), partition values materialised, a new <see cref="Row"/> each.</summary>
    /// <exception cref="DeltaException">The file is missing or is not Parquet with the table's columns, naming it.</exception>
    public IEnumerable<Row> ReadFile(AddFile file)
    {
        var schema = _snapshot.Schema;
        if (_dataSchema is null)
        {
            var dataFields = new List<Field>();
            var targets = new List<int>();
            var partitions = new List<int>();
            for (var i = 0; i < schema.Count; i++)
            {
                if (_snapshot.PartitionColumns.Contains(schema[i].Name))
                {
                    partitions.Add(i);
                }
                else
                {
                    dataFields.Add(schema[i]);
                    targets.Add(i);
                }
            }
            _dataSchema = new Schema(dataFields);
            _targetIndexes = [.. targets];
            _partitionIndexes = [.. partitions];
        }
        var template = new Row(schema);
        foreach (var index in _partitionIndexes!)
        {
            file.PartitionValues.TryGetValue(schema[index].Name, out var text);
            PartitionValues.Set(template, index, text, schema[index].Name, file.Path);
        }
        return ReadFile(file, _dataSchema, _targetIndexes!, template);
    }

    private IEnumerable<Row> ReadFile(AddFile file, Schema dataSchema, int[] targets, Row template)
    {
        var relative = DeltaPaths.Decode(file.Path);
        var path = Path.IsPathRooted(relative) ? relative : Path.Combine(_snapshot.TablePath, relative);
        Stream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DeltaException($"Data file '{file.Path}' of table '{_snapshot.TablePath}' at version {_snapshot.Version} is missing ({path}); it was deleted outside the log (a VACUUM with too short a retention?).", _snapshot.Version, file.Path, e);
        }
        if (!ParquetRowReader.TryOpen(stream, dataSchema, out var reader, out var error))
        {
            throw new DeltaException($"Data file '{file.Path}' of table '{_snapshot.TablePath}' cannot be read: {error.Message}", _snapshot.Version, file.Path);
        }
        using (reader)
        {
            for (var group = 0; group < reader.RowGroupCount; group++)
            {
                int count;
                try
                {
                    count = reader.LoadRowGroup(group);
                }
                catch (InvalidDataException e)
                {
                    throw new DeltaException($"Data file '{file.Path}' of table '{_snapshot.TablePath}' is damaged: {e.Message}", _snapshot.Version, file.Path, e);
                }
                for (var i = 0; i < count; i++)
                {
                    var row = template.Copy();
                    if (reader.TryFill(i, row, targets) is { } rowError)
                    {
                        throw new DeltaException($"Data file '{file.Path}' of table '{_snapshot.TablePath}', row {i} of row group {group}: {rowError.Message}", _snapshot.Version, file.Path);
                    }
                    yield return row;
                }
            }
        }
    }
}
