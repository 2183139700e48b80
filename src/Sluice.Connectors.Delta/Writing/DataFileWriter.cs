using System.Buffers;
using System.Text;
using System.Text.Json;
using Sluice.Connectors.Delta.Log;
using Sluice.Formats.Parquet;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Writing;

/// <summary>
/// Writes rows of the table schema into new Parquet data files, one open file per partition (Hive-style directories
/// <c>col=value/…</c>), computing each file's statistics as it goes; <see cref="Finish"/> closes the files and returns
/// their <c>add</c> actions. A file whose estimated size reaches the target size is closed and the partition's next rows
/// go to a new file. Nothing is visible in the table until a commit names the files; <see cref="Abort"/> deletes
/// them (also after <see cref="Finish"/>). Not thread-safe: one writer per append or rewrite.
/// </summary>
internal sealed class DataFileWriter : IDisposable
{
    private readonly string _tablePath;
    private readonly Schema _schema;
    private readonly Schema _dataSchema;
    private readonly int[] _partitionIndexes;
    private readonly int[] _dataIndexes;
    private readonly Func<Guid> _newGuid;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, OpenFile> _open = new(StringComparer.Ordinal);
    private readonly List<string> _written = [];
    private readonly List<AddFile> _closed = [];
    private readonly long _targetFileSize;
    private readonly StringBuilder _key = new();
    private readonly Dictionary<string, IReadOnlyDictionary<string, string?>> _keptPartitionValues = new(StringComparer.Ordinal);
    private int _fileCounter;

    /// <summary>
    /// Creates the writer for rows of <paramref name="schema"/> partitioned by <paramref name="partitionColumns"/>. A file
    /// whose estimated size (bytes, before compression) reaches <paramref name="targetFileSize"/> is closed and the next
    /// rows of its partition start a new one (<see cref="long.MaxValue"/>: one file per partition).
    /// </summary>
    public DataFileWriter(string tablePath, Schema schema, IReadOnlyList<string> partitionColumns, Func<Guid> newGuid, TimeProvider time, long targetFileSize = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetFileSize, 1);
        _targetFileSize = targetFileSize;
        _tablePath = tablePath;
        _schema = schema;
        _newGuid = newGuid;
        _time = time;
        _partitionIndexes = [.. partitionColumns.Select(schema.GetIndex)];
        _dataIndexes = [.. Enumerable.Range(0, schema.Count).Where(i => !partitionColumns.Contains(schema[i].Name))];
        _dataSchema = new Schema(_dataIndexes.Select(i => schema[i]));
    }

    /// <summary>
    /// Keeps the partition values of <paramref name="file"/> as its log entry writes them for the files this writer
    /// writes to the same partition: a rewrite (MERGE, DELETE, OPTIMIZE) must not change how a value is written — a
    /// <c>timestamp</c> in the protocol's plain form (<c>2021-01-01 10:00:00</c>, no time zone) would otherwise become a
    /// UTC instant, which readers in another time zone read as another time. The first file of a partition wins.
    /// </summary>
    /// <exception cref="DeltaException">A partition value of the file is not a value of its column.</exception>
    public void KeepPartitionValues(AddFile file)
    {
        if (_partitionIndexes.Length == 0)
        {
            return;
        }
        var probe = new Row(_schema);
        _key.Clear();
        foreach (var index in _partitionIndexes)
        {
            var name = _schema[index].Name;
            file.PartitionValues.TryGetValue(name, out var text);
            PartitionValues.Set(probe, index, text, name, file.Path);
            _key.Append(name).Append('=').Append(DeltaPaths.EscapePartitionValue(PartitionValues.Serialize(probe, index))).Append('/');
        }
        _keptPartitionValues.TryAdd(_key.ToString(), file.PartitionValues);
    }

    /// <summary>
    /// <see cref="KeepPartitionValues(AddFile)"/> for each of <paramref name="files"/> (a snapshot's active files, in log order): a
    /// writer of new rows (appends, MERGE inserts and moved rows) then writes a partition the table already holds as
    /// its first file does. A file whose partition values are not values of their columns is passed over: its form
    /// cannot be kept, and reading it fails where it is read. No-op for an unpartitioned table.
    /// </summary>
    public void KeepPartitionValues(IEnumerable<AddFile> files)
    {
        if (_partitionIndexes.Length == 0)
        {
            return;
        }
        foreach (var file in files)
        {
            try
            {
                KeepPartitionValues(file);
            }
            catch (DeltaException)
            {
                // Only a seed: the file's own readers and rewrites report the bad value, naming it.
            }
        }
    }

    /// <summary>The rows written so far.</summary>
    public long RowCount { get; private set; }

    /// <summary>Adds <paramref name="row"/> (of the table schema) to the file of its partition.</summary>
    public void Write(Row row)
    {
        OpenFile file;
        if (_partitionIndexes.Length == 0)
        {
            if (!_open.TryGetValue("", out file!))
            {
                file = Open("", []);
            }
        }
        else
        {
            _key.Clear();
            foreach (var index in _partitionIndexes)
            {
                _key.Append(_schema[index].Name).Append('=').Append(DeltaPaths.EscapePartitionValue(PartitionValues.Serialize(row, index))).Append('/');
            }
            var key = _key.ToString();
            if (!_open.TryGetValue(key, out file!))
            {
                var values = new Dictionary<string, string?>(StringComparer.Ordinal);
                _keptPartitionValues.TryGetValue(key, out var kept);
                foreach (var index in _partitionIndexes)
                {
                    var name = _schema[index].Name;
                    values[name] = kept is not null && kept.TryGetValue(name, out var text) ? text : PartitionValues.Serialize(row, index);
                }
                file = Open(key, values);
            }
        }
        file.Write(row, _dataIndexes);
        RowCount++;
        if (file.EstimatedSize >= _targetFileSize)
        {
            _open.Remove(file.Directory);
            _closed.Add(file.ToAdd(_time, dataChange: true));
        }
    }

    /// <summary>The full paths of every file this writer created (committed or not).</summary>
    public IReadOnlyList<string> WrittenPaths => _written;

    private OpenFile Open(string directory, Dictionary<string, string?> partitionValues)
    {
        var name = $"part-{_fileCounter++:D5}-{_newGuid():D}-c000.snappy.parquet";
        var relative = directory + name;
        var full = Path.Combine(_tablePath, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        _written.Add(full);
        var file = new OpenFile(directory, relative, full, _schema, _dataSchema, _dataIndexes, partitionValues);
        _open[directory] = file;
        return file;
    }

    /// <summary>
    /// Closes every file and returns the <c>add</c> actions of all files written (path URI-encoded, stats JSON), with
    /// <paramref name="dataChange"/> (false for a rearrangement such as OPTIMIZE).
    /// </summary>
    public List<AddFile> Finish(bool dataChange = true)
    {
        foreach (var file in _open.Values)
        {
            _closed.Add(file.ToAdd(_time, dataChange));
        }
        _open.Clear();
        var adds = new List<AddFile>(_closed.Count);
        foreach (var add in _closed)
        {
            adds.Add(add.DataChange == dataChange ? add : add with { DataChange = dataChange });
        }
        _closed.Clear();
        return adds;
    }

    /// <summary>Closes and deletes every file written: the append leaves nothing behind.</summary>
    public void Abort()
    {
        foreach (var file in _open.Values)
        {
            file.Dispose();
        }
        _open.Clear();
        _closed.Clear();
        foreach (var path in _written)
        {
            File.Delete(path);
        }
        _written.Clear();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var file in _open.Values)
        {
            file.Dispose();
        }
        _open.Clear();
    }

    private sealed class OpenFile : IDisposable
    {
        private readonly FileStream _stream;
        private readonly ParquetRowWriter _writer;
        private readonly Row? _projected;
        private readonly ColumnStatistics[] _stats;
        private long _rows;

        public OpenFile(string directory, string relativePath, string fullPath, Schema schema, Schema dataSchema, int[] dataIndexes, Dictionary<string, string?> partitionValues)
        {
            Directory = directory;
            RelativePath = relativePath;
            PartitionValues = partitionValues;
            _stream = CreateFile(fullPath);
            _writer = new ParquetRowWriter(dataSchema, _stream, ParquetWriteOptions.Default);
            _projected = dataIndexes.Length == schema.Count ? null : new Row(dataSchema);
            _stats = [.. dataIndexes.Select(i => new ColumnStatistics(schema[i].Name, schema[i].Type))];
        }

        public string Directory { get; }

        /// <summary>
        /// Creates the file, and its partition directory when missing — again if a concurrent VACUUM deleted the directory
        /// (found empty) after the writer created it.
        /// </summary>
        private static FileStream CreateFile(string fullPath)
        {
            for (var attempt = 1; ; attempt++)
            {
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
                try
                {
                    return new FileStream(fullPath, FileMode.CreateNew, FileAccess.ReadWrite);
                }
                catch (DirectoryNotFoundException) when (attempt < 3)
                {
                }
            }
        }

        public string RelativePath { get; }

        public long EstimatedSize => _writer.EstimatedSize;

        public Dictionary<string, string?> PartitionValues { get; }

        public void Write(Row row, int[] dataIndexes)
        {
            for (var i = 0; i < dataIndexes.Length; i++)
            {
                _stats[i].Add(row, dataIndexes[i]);
            }
            if (_projected is null)
            {
                _writer.Write(row);
            }
            else
            {
                for (var i = 0; i < dataIndexes.Length; i++)
                {
                    _projected.SetValue(i, row.GetValue(dataIndexes[i]));
                }
                _writer.Write(_projected);
            }
            _rows++;
        }

        public AddFile ToAdd(TimeProvider time, bool dataChange)
        {
            var size = Close();
            return new AddFile(DeltaPaths.Encode(RelativePath), PartitionValues, size, time.GetUtcNow().ToUnixTimeMilliseconds(), dataChange, StatsJson());
        }

        public long Close()
        {
            _writer.Finish();
            _stream.Flush(flushToDisk: true);
            var size = _stream.Length;
            Dispose();
            return size;
        }

        public string StatsJson()
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var json = new Utf8JsonWriter(buffer, DeltaActionJson.WriterOptions))
            {
                json.WriteStartObject();
                json.WriteNumber("numRecords", _rows);
                json.WriteStartObject("minValues");
                foreach (var column in _stats)
                {
                    if (column.HasBounds)
                    {
                        column.WriteBound(json, max: false);
                    }
                }
                json.WriteEndObject();
                json.WriteStartObject("maxValues");
                foreach (var column in _stats)
                {
                    if (column.HasMax)
                    {
                        column.WriteBound(json, max: true);
                    }
                }
                json.WriteEndObject();
                json.WriteStartObject("nullCount");
                foreach (var column in _stats)
                {
                    json.WriteNumber(column.Name, column.NullCount);
                }
                json.WriteEndObject();
                json.WriteEndObject();
            }
            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }

        public void Dispose()
        {
            _writer.Dispose();
            _stream.Dispose();
        }
    }
}
