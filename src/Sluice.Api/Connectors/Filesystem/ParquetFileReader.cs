using Sluice.Formats;
using Sluice.Formats.Parquet;
using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Connectors.Filesystem;

/// <summary>
/// Reads one Parquet file of a 'filesystem' table as one split whose position is the number of rows consumed (as a
/// line file's is its lines): a restore skips that many rows, whole row groups by their footer counts without decoding
/// them. Each row gets the file's columns plus the partition values of its path. A file that is not Parquet or does
/// not match the table's columns becomes one <see cref="DeadLetter"/> (position <c>file</c>) naming the column and the
/// reason; a row that does not fit (null in a NOT NULL column) becomes a dead letter at <c>row N</c>; a damaged row
/// group becomes one dead letter naming its rows, and the rest of the file is not read. Used on the source thread only.
/// </summary>
internal sealed class ParquetFileReader : ISourceReader<Row>, ICheckpointedSourceReader
{
    private readonly string _path;
    private readonly string _splitId;
    private readonly Schema _schema;
    private readonly Schema _body;
    private readonly int[] _targets;
    private readonly Row? _partition;
    private readonly int[] _partitionColumns;
    private readonly int _batchSize;
    private ParquetRowReader? _reader;
    private bool _opened;
    private bool _finished;
    private long _position;
    private int _group;
    private int _groupRows;
    private int _next;

    /// <summary>Creates the reader; the file is opened on the first poll.</summary>
    /// <param name="path">The file.</param>
    /// <param name="splitId">The split's id.</param>
    /// <param name="schema">The table's schema (of the rows produced).</param>
    /// <param name="body">The columns the file holds.</param>
    /// <param name="targets">For each column of <paramref name="body"/>, its index in <paramref name="schema"/>.</param>
    /// <param name="partition">The partition values of the file (a row of <paramref name="schema"/>), or null.</param>
    /// <param name="partitionColumns">The partition columns' indexes in <paramref name="schema"/>.</param>
    /// <param name="skip">Rows consumed before the restore.</param>
    /// <param name="batchSize">Most rows per poll.</param>
    public ParquetFileReader(string path, string splitId, Schema schema, Schema body, int[] targets, Row? partition, int[] partitionColumns, long skip, int batchSize)
    {
        _path = path;
        _splitId = splitId;
        _schema = schema;
        _body = body;
        _targets = targets;
        _partition = partition;
        _partitionColumns = partitionColumns;
        _position = skip;
        _batchSize = Math.Max(1, batchSize);
    }

    /// <inheritdoc />
    public int SplitCount => 1;

    /// <inheritdoc />
    public string SplitId(int split) => _splitId;

    /// <inheritdoc />
    public byte[] SnapshotSplit(int split) => SplitPositions.FromInt64(_position);

    /// <inheritdoc />
    public SourceStatus PollNext(ISourceOutput<Row> output)
    {
        if (_finished)
        {
            return SourceStatus.Finished;
        }
        if (!_opened && !Open(output))
        {
            return Finish();
        }
        for (var emitted = 0; emitted < _batchSize;)
        {
            if (_next == _groupRows)
            {
                if (!LoadNextGroup(output))
                {
                    return Finish();
                }
                continue;
            }
            var row = new Row(_schema);
            var error = _reader!.TryFill(_next, row, _targets);
            _next++;
            _position++;
            emitted++;
            if (error is not null)
            {
                output.ReportDeadLetter(new DeadLetter(_path, $"row {_position}", error.Reason, $"row {_position}", error.FieldPath) { Kind = error.Kind });
                continue;
            }
            if (_partition is not null)
            {
                foreach (var column in _partitionColumns)
                {
                    _partition.CopyFieldTo(column, row, column);
                }
            }
            output.Collect(0, row);
        }
        return SourceStatus.MoreAvailable;
    }

    /// <inheritdoc />
    public void Dispose() => _reader?.Dispose();

    private SourceStatus Finish()
    {
        _finished = true;
        _reader?.Dispose();
        _reader = null;
        return SourceStatus.Finished;
    }

    private bool Open(ISourceOutput<Row> output)
    {
        _opened = true;
        var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (!ParquetRowReader.TryOpen(stream, _body, out _reader, out var error))
        {
            if (_position == 0)
            {
                output.ReportDeadLetter(new DeadLetter(_path, "file", error.Reason, Path.GetFileName(_path), error.FieldPath) { Kind = error.Kind });
                _position = 1; // reported: a restore does not report it again
            }
            return false;
        }
        // A restore skips whole row groups by their footer counts, then the rest of the row group it stopped in.
        var skip = _position;
        while (_group < _reader.RowGroupCount && _reader.RowsOf(_group) <= skip)
        {
            skip -= _reader.RowsOf(_group);
            _group++;
        }
        if (skip > 0 && _group < _reader.RowGroupCount)
        {
            if (!LoadNextGroup(output))
            {
                return false;
            }
            _next = (int)skip;
        }
        return true;
    }

    /// <summary>Loads row group <c>_group</c> and moves past it; false at the end of the file or when it is damaged (a dead letter then).</summary>
    private bool LoadNextGroup(ISourceOutput<Row> output)
    {
        var reader = _reader!;
        while (_group < reader.RowGroupCount)
        {
            var index = _group++;
            try
            {
                _groupRows = reader.LoadRowGroup(index);
            }
            catch (InvalidDataException e)
            {
                output.ReportDeadLetter(new DeadLetter(_path, $"row {_position + 1}",
                    $"Row group {index} (rows {_position + 1} to {_position + reader.RowsOf(index)}) cannot be read, so the rest of the file is not read: {e.Message}",
                    Path.GetFileName(_path)));
                return false;
            }
            _next = 0;
            if (_groupRows > 0)
            {
                return true;
            }
        }
        return false;
    }
}
