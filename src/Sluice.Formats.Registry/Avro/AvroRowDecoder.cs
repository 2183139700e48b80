using System.Text;
using Sluice.Schemas;
using AvroSchema = Avro.Schema;

namespace Sluice.Formats.Registry.Avro;

/// <summary>
/// Runs an <see cref="AvroRecordPlan"/> over an Avro binary body: one switch per value, typed row setters for top-level
/// scalars (no boxing), boxed values only inside arrays and maps. Stateless and thread-safe; allocates the row and the
/// values it holds. Bad data throws <see cref="AvroDataException"/> with the field path, for the deserializer to catch.
/// </summary>
internal static class AvroRowDecoder
{
    /// <summary>Decodes one record body into a row of the plan's schema; the whole body must be used.</summary>
    /// <exception cref="AvroDataException">The body is truncated, too long, or holds a value the reader cannot take.</exception>
    public static Row Decode(ReadOnlySpan<byte> body, AvroRecordPlan plan)
    {
        var reader = new AvroReader(body);
        var row = ReadRecord(ref reader, plan);
        if (!reader.AtEnd)
        {
            throw new AvroDataException($"The Avro body has {body.Length - reader.Position} bytes left after the record (the writer schema does not match the data).");
        }
        return row;
    }

    private static Row ReadRecord(ref AvroReader reader, AvroRecordPlan plan)
    {
        var row = new Row(plan.Schema);
        var steps = plan.Steps;
        for (var i = 0; i < steps.Length; i++)
        {
            var step = steps[i];
            try
            {
                if (step.Target < 0)
                {
                    Skip(ref reader, step.Plan);
                }
                else
                {
                    ReadField(ref reader, step.Plan, row, step.Target);
                }
            }
            catch (AvroDataException e)
            {
                throw e.InField(step.Name);
            }
        }
        foreach (var fill in plan.Defaults)
        {
            row.SetValue(fill.Target, fill.Value);
        }
        return row;
    }

    private static void ReadField(ref AvroReader reader, AvroReadPlan plan, Row row, int index)
    {
        switch (plan.Op)
        {
            case AvroReadOp.Union:
                ReadField(ref reader, Branch(ref reader, plan), row, index);
                return;
            case AvroReadOp.Null:
                row.SetNull(index);
                return;
            case AvroReadOp.Boolean:
                row.SetBoolean(index, reader.ReadBoolean());
                return;
            case AvroReadOp.IntToInt:
                row.SetInt32(index, reader.ReadInt());
                return;
            case AvroReadOp.IntToLong:
                row.SetInt64(index, reader.ReadInt());
                return;
            case AvroReadOp.LongToLong:
                row.SetInt64(index, reader.ReadLong());
                return;
            case AvroReadOp.FloatToFloat:
                row.SetSingle(index, reader.ReadFloat());
                return;
            case AvroReadOp.DoubleToDouble:
                row.SetDouble(index, reader.ReadDouble());
                return;
            case AvroReadOp.StringToString:
                row.SetString(index, reader.ReadString());
                return;
            case AvroReadOp.TimestampMillis:
                row.SetTimestamp(index, AvroTime.TimestampFromMillis(reader.ReadLong()));
                return;
            case AvroReadOp.TimestampMicros:
                row.SetTimestamp(index, AvroTime.TimestampFromMicros(reader.ReadLong()));
                return;
            case AvroReadOp.TimestampMillisLtz:
                row.SetTimestampLtz(index, AvroTime.TimestampLtzFromMillis(reader.ReadLong()));
                return;
            case AvroReadOp.TimestampMicrosLtz:
                row.SetTimestampLtz(index, AvroTime.TimestampLtzFromMicros(reader.ReadLong()));
                return;
            case AvroReadOp.Date:
                row.SetDate(index, AvroTime.DateFromDays(reader.ReadInt()));
                return;
            case AvroReadOp.Record:
                row.SetRow(index, ReadRecord(ref reader, plan.Record!));
                return;
            case AvroReadOp.DecimalBytes or AvroReadOp.DecimalFixed:
                var value = ReadDecimal(ref reader, plan);
                if (!plan.Reader!.TryRoundDecimal(value, out _))
                {
                    throw new AvroDataException($"The decimal {value} does not fit {plan.Reader}.");
                }
                row.SetDecimal(index, value);
                return;
            default:
                row.SetValue(index, ReadValue(ref reader, plan));
                return;
        }
    }

    /// <summary>Reads one value as its boxed CLR value (for array elements, map values and the less common types).</summary>
    private static object? ReadValue(ref AvroReader reader, AvroReadPlan plan)
    {
        switch (plan.Op)
        {
            case AvroReadOp.Union:
                return ReadValue(ref reader, Branch(ref reader, plan));
            case AvroReadOp.Incompatible:
                throw new AvroDataException(char.ToUpperInvariant(plan.Incompatible![0]) + plan.Incompatible[1..] + ".");
            case AvroReadOp.Null:
                return null;
            case AvroReadOp.Boolean:
                return reader.ReadBoolean();
            case AvroReadOp.IntToInt:
                return reader.ReadInt();
            case AvroReadOp.IntToLong:
                return (long)reader.ReadInt();
            case AvroReadOp.IntToFloat:
                return (float)reader.ReadInt();
            case AvroReadOp.IntToDouble:
                return (double)reader.ReadInt();
            case AvroReadOp.LongToLong:
                return reader.ReadLong();
            case AvroReadOp.LongToFloat:
                return (float)reader.ReadLong();
            case AvroReadOp.LongToDouble:
                return (double)reader.ReadLong();
            case AvroReadOp.FloatToFloat:
                return reader.ReadFloat();
            case AvroReadOp.FloatToDouble:
                return (double)reader.ReadFloat();
            case AvroReadOp.DoubleToDouble:
                return reader.ReadDouble();
            case AvroReadOp.StringToString:
                return reader.ReadString();
            case AvroReadOp.StringToBytes or AvroReadOp.BytesToBytes:
                return reader.ReadBytes().ToArray();
            case AvroReadOp.BytesToString:
                return Encoding.UTF8.GetString(reader.ReadBytes());
            case AvroReadOp.FixedToBytes:
                return reader.Take(plan.FixedSize).ToArray();
            case AvroReadOp.DecimalBytes or AvroReadOp.DecimalFixed:
                return ReadDecimal(ref reader, plan);
            case AvroReadOp.EnumToString:
                var ordinal = reader.ReadInt();
                return (uint)ordinal < (uint)plan.Symbols!.Length
                    ? plan.Symbols[ordinal]
                    : throw new AvroDataException($"An enum ordinal is {ordinal}, but the writer's enum has {plan.Symbols.Length} symbols.");
            case AvroReadOp.Date:
                return AvroTime.DateFromDays(reader.ReadInt());
            case AvroReadOp.TimeMillis:
                return AvroTime.TimeFromMillis(reader.ReadInt());
            case AvroReadOp.TimeMicros:
                return AvroTime.TimeFromMicros(reader.ReadLong());
            case AvroReadOp.TimestampMillis:
                return AvroTime.TimestampFromMillis(reader.ReadLong());
            case AvroReadOp.TimestampMicros:
                return AvroTime.TimestampFromMicros(reader.ReadLong());
            case AvroReadOp.TimestampMillisLtz:
                return AvroTime.TimestampLtzFromMillis(reader.ReadLong());
            case AvroReadOp.TimestampMicrosLtz:
                return AvroTime.TimestampLtzFromMicros(reader.ReadLong());
            case AvroReadOp.Record:
                return ReadRecord(ref reader, plan.Record!);
            case AvroReadOp.Array:
                return ReadArray(ref reader, plan.Element!);
            case AvroReadOp.Map:
                return ReadMap(ref reader, plan.Element!);
            default:
                Skip(ref reader, plan);
                return null;
        }
    }

    private static AvroReadPlan Branch(ref AvroReader reader, AvroReadPlan union)
    {
        var index = reader.ReadLong();
        return (ulong)index < (ulong)union.Branches!.Length
            ? union.Branches[index]
            : throw new AvroDataException($"A union branch index is {index}, but the writer's union has {union.Branches.Length} branches.");
    }

    private static decimal ReadDecimal(ref AvroReader reader, AvroReadPlan plan)
    {
        var bytes = plan.Op == AvroReadOp.DecimalFixed ? reader.Take(plan.FixedSize) : reader.ReadBytes();
        return AvroDecimals.FromUnscaled(bytes, plan.Scale);
    }

    private static object?[] ReadArray(ref AvroReader reader, AvroReadPlan element)
    {
        var items = new List<object?>();
        while (true)
        {
            var count = BlockCount(ref reader);
            if (count == 0)
            {
                return [.. items];
            }
            for (var i = 0; i < count; i++)
            {
                try
                {
                    items.Add(ReadValue(ref reader, element));
                }
                catch (AvroDataException e)
                {
                    throw e.AtIndex(items.Count);
                }
            }
        }
    }

    private static KeyValuePair<object, object?>[] ReadMap(ref AvroReader reader, AvroReadPlan value)
    {
        var entries = new List<KeyValuePair<object, object?>>();
        while (true)
        {
            var count = BlockCount(ref reader);
            if (count == 0)
            {
                return [.. entries];
            }
            for (var i = 0; i < count; i++)
            {
                var key = reader.ReadString();
                try
                {
                    entries.Add(new KeyValuePair<object, object?>(key, ReadValue(ref reader, value)));
                }
                catch (AvroDataException e)
                {
                    throw new AvroDataException(e.Message, e.FieldPath is null ? $"['{key}']" : $"['{key}']" + (e.FieldPath[0] == '[' ? "" : ".") + e.FieldPath);
                }
            }
        }
    }

    /// <summary>The item count of the next block of an array or map (a negative count is followed by the block's size in bytes).</summary>
    private static long BlockCount(ref AvroReader reader)
    {
        var count = reader.ReadLong();
        if (count < 0)
        {
            _ = reader.ReadLong();
            count = -count;
        }
        return count;
    }

    /// <summary>Skips one value by the writer's shape.</summary>
    private static void Skip(ref AvroReader reader, AvroReadPlan plan)
    {
        switch (plan.WriterTag)
        {
            case AvroSchema.Type.Null:
                return;
            case AvroSchema.Type.Boolean:
                reader.Skip(1);
                return;
            case AvroSchema.Type.Int or AvroSchema.Type.Long or AvroSchema.Type.Enumeration:
                _ = reader.ReadLong();
                return;
            case AvroSchema.Type.Float:
                reader.Skip(4);
                return;
            case AvroSchema.Type.Double:
                reader.Skip(8);
                return;
            case AvroSchema.Type.String or AvroSchema.Type.Bytes:
                _ = reader.ReadBytes();
                return;
            case AvroSchema.Type.Fixed:
                reader.Skip(plan.FixedSize);
                return;
            case AvroSchema.Type.Union:
                Skip(ref reader, Branch(ref reader, plan));
                return;
            case AvroSchema.Type.Record:
                foreach (var step in plan.Record!.Steps)
                {
                    if (step.Plan.WriterTag != AvroSchema.Type.Null || step.Plan.Op != AvroReadOp.Incompatible)
                    {
                        Skip(ref reader, step.Plan);
                    }
                }
                return;
            case AvroSchema.Type.Array or AvroSchema.Type.Map:
                SkipBlocks(ref reader, plan);
                return;
            default:
                throw new AvroDataException($"Sluice cannot skip an Avro {plan.WriterTag}.");
        }
    }

    private static void SkipBlocks(ref AvroReader reader, AvroReadPlan plan)
    {
        while (true)
        {
            var count = reader.ReadLong();
            if (count == 0)
            {
                return;
            }
            if (count < 0)
            {
                var size = reader.ReadLong();
                reader.Skip(size is < 0 or > int.MaxValue ? int.MaxValue : (int)size);
                continue;
            }
            for (var i = 0; i < count; i++)
            {
                if (plan.WriterTag == AvroSchema.Type.Map)
                {
                    _ = reader.ReadBytes();
                }
                Skip(ref reader, plan.Element!);
            }
        }
    }
}
