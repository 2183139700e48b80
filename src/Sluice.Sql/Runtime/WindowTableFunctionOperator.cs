using Sluice.Operators;
using Sluice.Schemas;
using Sluice.Sql.Planning;

namespace Sluice.Sql.Runtime;

/// <summary>
/// A TUMBLE, HOP or CUMULATE window table function on its own (not fused into an aggregation): each input row is
/// emitted once per window it belongs to, with <c>window_start</c>, <c>window_end</c> and <c>window_time</c>
/// (<c>window_end - 1 ms</c>) appended, keeping its kind and timestamp. Stateless. A row whose time attribute is NULL
/// belongs to no window and is dropped, as in Flink. Per record it allocates the output rows only.
/// </summary>
internal sealed class WindowTableFunctionOperator : OneInputStreamOperator<Row, Row>
{
    private readonly WindowSpec _window;
    private readonly Schema _output;
    private readonly int _inputCount;
    private readonly DataTypeKind _timeKind;
    private readonly DataTypeKind _windowTimeKind;
    private readonly SqlWindow[] _windows;

    /// <summary>Windows rows of <paramref name="input"/> by <paramref name="window"/> into rows of <paramref name="output"/>.</summary>
    /// <exception cref="SqlException">A SESSION window (it needs the other rows of its key) or an invalid window.</exception>
    public WindowTableFunctionOperator(Schema input, WindowSpec window, Schema output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(output);
        if (window.Kind == WindowKind.Session)
        {
            throw new SqlException($"A SESSION window table function must be followed by an aggregation over its window; {window} on its own is not supported.");
        }

        WindowAssignment.Validate(window);
        if (output.Count != input.Count + 3)
        {
            throw new ArgumentException($"A window table function's output has the input's {input.Count} fields and 3 window fields, not {output.Count}.", nameof(output));
        }

        _window = window;
        _output = output;
        _inputCount = input.Count;
        _timeKind = input[window.TimeField].Type.Kind;
        _windowTimeKind = output[_inputCount + 2].Type.Kind;
        _windows = new SqlWindow[WindowAssignment.MaxWindowsPerRow(window)];
    }

    /// <inheritdoc />
    public override void ProcessElement(Row value, long timestamp)
    {
        long time;
        if (_window.IsProcessingTime)
        {
            time = Context.CurrentProcessingTime;
        }
        else if (value.IsNull(_window.TimeField))
        {
            return;
        }
        else
        {
            time = FieldValues.ReadEpochMillis(value, _window.TimeField, _timeKind);
        }

        var count = WindowAssignment.Assign(_window, time, _windows);
        for (var w = 0; w < count; w++)
        {
            var row = new Row(_output) { Kind = value.Kind };
            for (var i = 0; i < _inputCount; i++)
            {
                value.CopyFieldTo(i, row, i);
            }

            row.SetTimestamp(_inputCount, Timestamp(_windows[w].Start));
            row.SetTimestamp(_inputCount + 1, Timestamp(_windows[w].End));
            if (_windowTimeKind == DataTypeKind.TimestampLtz)
            {
                row.SetTimestampLtz(_inputCount + 2, DateTimeOffset.FromUnixTimeMilliseconds(_windows[w].End - 1));
            }
            else
            {
                row.SetTimestamp(_inputCount + 2, Timestamp(_windows[w].End - 1));
            }

            Output.Collect(row, timestamp);
        }
    }

    private static DateTime Timestamp(long millis) => DateTime.UnixEpoch.AddMilliseconds(millis);
}
