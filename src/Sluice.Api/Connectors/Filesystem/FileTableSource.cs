using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Sluice.Formats;
using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Connectors.Filesystem;

/// <summary>
/// The 'filesystem' source over a table directory, as the filesystem sink writes it: every file under the directory
/// (recursively, in ordinal order of its relative path; names starting with <c>.</c>, such as <c>.staging/</c>, and
/// names starting with <c>_</c> (<c>_SUCCESS</c>, <c>_temporary/</c>) are skipped), read line by line through a <see cref="FileSource{T}"/> (Parquet files row group by row group through a <see cref="ParquetFileReader"/>). With
/// partition columns, each file lies under one Hive-style directory per column (<c>dt=2026-12-05/country=FR/</c>,
/// <see cref="PartitionPaths"/>); the values are parsed from the path once per file and fill the partition columns of
/// every row, the format decoding the other columns. Bounded and non-parallel.
/// </summary>
/// <remarks>
/// <para>Each file is a split <c>file:&lt;path relative to the table directory, '/'-separated&gt;</c> whose position is
/// the number of lines consumed, encoded by <see cref="SplitPositions"/> (the format of <see cref="FileSource{T}"/>; a
/// file directly in the directory has the id a single-file source gives it). Files are found when the reader is
/// created, so a restore also reads files added since the checkpoint (from their first line); a checkpointed file must
/// not change between the checkpoint and its restore.</para>
/// <para>A file whose path does not give every partition column a value of its type (a directory missing, a value that
/// does not convert, the default name in a NOT NULL column) is not read: it becomes one <see cref="DeadLetter"/> naming
/// the file (position <c>path</c>), the reason and the column, as a bad line does; its split position is then 1, so
/// a restore does not report it again.</para>
/// </remarks>
internal sealed class FileTableSource : ISource<Row>
{
    private readonly string _directory;
    private readonly Schema _schema;
    private readonly int[] _partitionColumns;
    private readonly string[] _prefixes;
    private readonly int[] _bodyTargets;
    private readonly string _defaultName;
    private readonly IMessageDeserializer<Row>? _body;
    private readonly Schema _bodySchema;
    private readonly string? _singleFile;

    /// <summary>Creates the source.</summary>
    /// <param name="directory">The table directory.</param>
    /// <param name="schema">The table's columns, partition columns included.</param>
    /// <param name="partitionColumns">The indexes in <paramref name="schema"/> of the partition columns, outermost directory first.</param>
    /// <param name="bodySchema">The columns the files hold: <paramref name="schema"/> without the partition columns, in order.</param>
    /// <param name="defaultName">The directory value of a NULL partition (<c>partition.default-name</c>).</param>
    /// <param name="body">Decodes a line into a row of <paramref name="bodySchema"/>; null: the files are Parquet (<see cref="ParquetFileReader"/>, positions count rows).</param>
    /// <param name="singleFile">Reads only this file of <paramref name="directory"/> (a name, no partitions); null: every file.</param>
    public FileTableSource(string directory, Schema schema, int[] partitionColumns, Schema bodySchema, string defaultName, IMessageDeserializer<Row>? body, string? singleFile = null)
    {
        _directory = directory;
        _bodySchema = bodySchema;
        _singleFile = singleFile;
        _schema = schema;
        _partitionColumns = partitionColumns;
        _defaultName = defaultName;
        _body = body;
        _prefixes = new string[partitionColumns.Length];
        for (var i = 0; i < partitionColumns.Length; i++)
        {
            _prefixes[i] = PartitionPaths.Escape(schema[partitionColumns[i]].Name) + "=";
        }
        _bodyTargets = new int[bodySchema.Count];
        for (var i = 0; i < bodySchema.Count; i++)
        {
            _bodyTargets[i] = schema.IndexOf(bodySchema[i].Name);
        }
    }

    /// <inheritdoc />
    public bool IsBounded => true;

    /// <inheritdoc />
    public int MaxParallelism => 1;

    /// <inheritdoc />
    /// <exception cref="DirectoryNotFoundException">The table directory does not exist.</exception>
    public ISourceReader<Row> CreateReader(SourceReaderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Directory.Exists(_directory))
        {
            throw new DirectoryNotFoundException($"Source directory '{_directory}' does not exist.");
        }
        var paths = new List<string>();
        if (_singleFile is null)
        {
            Collect(_directory, paths);
        }
        else
        {
            paths.Add(_singleFile);
        }
        paths.Sort(StringComparer.Ordinal);
        var files = new TableFile[paths.Count];
        for (var i = 0; i < files.Length; i++)
        {
            files[i] = Discover(paths[i]);
        }
        return new Reader(this, files, context);
    }

    private void Collect(string directory, List<string> relativePaths)
    {
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(file);
            if (!name.StartsWith('.') && !name.StartsWith('_'))
            {
                relativePaths.Add(Path.GetRelativePath(_directory, file).Replace(Path.DirectorySeparatorChar, '/'));
            }
        }
        foreach (var child in Directory.EnumerateDirectories(directory))
        {
            var name = Path.GetFileName(child);
            if (!name.StartsWith('.') && !name.StartsWith('_'))
            {
                Collect(child, relativePaths);
            }
        }
    }

    /// <summary>The file at <paramref name="relativePath"/> with its partition values, or why it has none.</summary>
    private TableFile Discover(string relativePath)
    {
        var fullPath = Path.Combine(_directory, relativePath);
        if (_partitionColumns.Length == 0)
        {
            return new TableFile(relativePath, fullPath, null, null, null);
        }
        var segments = relativePath.Split('/');
        var partition = new Row(_schema);
        for (var i = 0; i < _partitionColumns.Length; i++)
        {
            var column = _partitionColumns[i];
            var name = _schema[column].Name;
            if (i >= segments.Length - 1 || !segments[i].StartsWith(_prefixes[i], StringComparison.Ordinal))
            {
                return new TableFile(relativePath, fullPath, null,
                    $"The file is not inside a '{_prefixes[i]}…' directory at depth {i + 1}, so partition column '{name}' has no value.", name);
            }
            if (PartitionPaths.TrySetValue(partition, column, segments[i][_prefixes[i].Length..], _defaultName) is { } error)
            {
                return new TableFile(relativePath, fullPath, null, error, name);
            }
        }
        if (segments.Length != _partitionColumns.Length + 1)
        {
            return new TableFile(relativePath, fullPath, null,
                $"The file is {segments.Length - 1} directories deep but the table has {_partitionColumns.Length} partition columns.", _schema[_partitionColumns[^1]].Name);
        }
        return new TableFile(relativePath, fullPath, partition, null, null);
    }

    /// <summary>A file of the table: its partition values (a row with only the partition columns set), or the reason it cannot be read and the column at fault.</summary>
    private sealed record TableFile(string RelativePath, string FullPath, Row? Partition, string? Error, string? Column);

    /// <summary>Decodes the file's columns and adds the partition values of its path: one new row per line, the result.</summary>
    private sealed class PartitionFiller(FileTableSource source, Row? partition) : IMessageDeserializer<Row>
    {
        public bool TryDeserialize(in MessageView message, [MaybeNullWhen(false)] out Row value, [NotNullWhen(false)] out FormatError? error)
        {
            if (!source._body!.TryDeserialize(message, out var body, out error))
            {
                value = null;
                return false;
            }
            var row = new Row(source._schema) { Kind = body.Kind };
            var targets = source._bodyTargets;
            for (var i = 0; i < targets.Length; i++)
            {
                body.CopyFieldTo(i, row, targets[i]);
            }
            if (partition is not null)
            {
                foreach (var column in source._partitionColumns)
                {
                    partition.CopyFieldTo(column, row, column);
                }
            }
            value = row;
            return true;
        }
    }

    /// <summary>Reads the files one after the other, each through a single-file reader; positions per file.</summary>
    private sealed class Reader : ISourceReader<Row>, ICheckpointedSourceReader
    {
        private readonly FileTableSource _source;
        private readonly TableFile[] _files;
        private readonly SourceReaderContext _context;
        private readonly long[] _positions;
        private int _current;
        private ISourceReader<Row>? _file;

        public Reader(FileTableSource source, TableFile[] files, SourceReaderContext context)
        {
            _source = source;
            _files = files;
            _context = context;
            _positions = new long[files.Length];
            for (var i = 0; i < files.Length; i++)
            {
                SplitPositions.TryGetInt64(context.RestoredSplits, SplitIdOf(files[i]), out _positions[i]);
            }
        }

        public int SplitCount => _files.Length;

        private static string SplitIdOf(TableFile file) => "file:" + file.RelativePath;

        public string SplitId(int split) => SplitIdOf(_files[split]);

        public byte[] SnapshotSplit(int split) =>
            split == _current && _file is ICheckpointedSourceReader reading ? reading.SnapshotSplit(0) : SplitPositions.FromInt64(_positions[split]);

        public SourceStatus PollNext(ISourceOutput<Row> output)
        {
            while (_current < _files.Length)
            {
                var file = _files[_current];
                if (file.Error is not null)
                {
                    if (_positions[_current] == 0)
                    {
                        output.ReportDeadLetter(new DeadLetter(file.FullPath, "path", file.Error, file.RelativePath, file.Column) { Kind = DeadLetterKind.Schema });
                        _positions[_current] = 1;
                    }
                    _current++;
                    continue;
                }
                _file ??= _source._body is null
                    ? new ParquetFileReader(file.FullPath, SplitIdOf(file), _source._schema, _source._bodySchema, _source._bodyTargets, file.Partition,
                        _source._partitionColumns, _positions[_current], _context.BatchSize)
                    : new FileSource<Row>(file.FullPath, new PartitionFiller(_source, file.Partition)).CreateReader(_context with
                    {
                        RestoredSplits = new Dictionary<string, byte[]> { ["file:" + Path.GetFileName(file.FullPath)] = SplitPositions.FromInt64(_positions[_current]) },
                    });
                var status = _file.PollNext(output);
                if (status != SourceStatus.Finished)
                {
                    return status;
                }
                // The single-file reader's position is SplitPositions' 8 little-endian bytes: the lines (rows) it consumed.
                _positions[_current] = BinaryPrimitives.ReadInt64LittleEndian(((ICheckpointedSourceReader)_file).SnapshotSplit(0));
                _file.Dispose();
                _file = null;
                _current++;
            }
            return SourceStatus.Finished;
        }

        public void Dispose() => _file?.Dispose();
    }
}
