using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Sluice.State.Serialization;

/// <summary>Base of the built-in serializers: version 1 only, and a fixed format id.</summary>
internal abstract class BuiltInStateSerializer<T>(string formatId) : IStateSerializer<T>
{
    public string FormatId { get; } = formatId;

    public int Version => 1;

    public abstract void Write(StateWriter output, T value);

    public abstract T Read(StateReader input, int version);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void CheckVersion(StateReader input, int version)
    {
        if (version != 1)
        {
            ThrowUnknownVersion(input, version);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowUnknownVersion(StateReader input, int version) =>
        throw new StateFormatException(
            $"State format '{FormatId}' has no version {version} (this build reads version 1); offset {input.Position}. " +
            "The checkpoint was written by a newer release or is corrupt.");
}

internal sealed class BoolStateSerializer() : BuiltInStateSerializer<bool>("bool")
{
    public override void Write(StateWriter output, bool value) => output.WriteBool(value);

    public override bool Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return input.ReadBool();
    }
}

internal sealed class ByteStateSerializer() : BuiltInStateSerializer<byte>("uint8")
{
    public override void Write(StateWriter output, byte value) => output.WriteByte(value);

    public override byte Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return input.ReadByte();
    }
}

internal sealed class SByteStateSerializer() : BuiltInStateSerializer<sbyte>("int8")
{
    public override void Write(StateWriter output, sbyte value) => output.WriteByte((byte)value);

    public override sbyte Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return (sbyte)input.ReadByte();
    }
}

internal sealed class Int16StateSerializer() : BuiltInStateSerializer<short>("int16")
{
    public override void Write(StateWriter output, short value) => output.WriteInt16(value);

    public override short Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return input.ReadInt16();
    }
}

internal sealed class UInt16StateSerializer() : BuiltInStateSerializer<ushort>("uint16")
{
    public override void Write(StateWriter output, ushort value) => output.WriteUInt16(value);

    public override ushort Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return input.ReadUInt16();
    }
}

internal sealed class CharStateSerializer() : BuiltInStateSerializer<char>("char16")
{
    public override void Write(StateWriter output, char value) => output.WriteUInt16(value);

    public override char Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return (char)input.ReadUInt16();
    }
}

internal sealed class Int32StateSerializer() : BuiltInStateSerializer<int>("int32")
{
    public override void Write(StateWriter output, int value) => output.WriteInt32(value);

    public override int Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return input.ReadInt32();
    }
}

internal sealed class UInt32StateSerializer() : BuiltInStateSerializer<uint>("uint32")
{
    public override void Write(StateWriter output, uint value) => output.WriteUInt32(value);

    public override uint Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return input.ReadUInt32();
    }
}

internal sealed class Int64StateSerializer() : BuiltInStateSerializer<long>("int64")
{
    public override void Write(StateWriter output, long value) => output.WriteInt64(value);

    public override long Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return input.ReadInt64();
    }
}

internal sealed class UInt64StateSerializer() : BuiltInStateSerializer<ulong>("uint64")
{
    public override void Write(StateWriter output, ulong value) => output.WriteUInt64(value);

    public override ulong Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return input.ReadUInt64();
    }
}

internal sealed class SingleStateSerializer() : BuiltInStateSerializer<float>("float32")
{
    public override void Write(StateWriter output, float value) => output.WriteSingle(value);

    public override float Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return input.ReadSingle();
    }
}

internal sealed class DoubleStateSerializer() : BuiltInStateSerializer<double>("float64")
{
    public override void Write(StateWriter output, double value) => output.WriteDouble(value);

    public override double Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return input.ReadDouble();
    }
}

internal sealed class DecimalStateSerializer() : BuiltInStateSerializer<decimal>("decimal")
{
    public override void Write(StateWriter output, decimal value) => output.WriteDecimal(value);

    public override decimal Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return input.ReadDecimal();
    }
}

internal sealed class GuidStateSerializer() : BuiltInStateSerializer<Guid>("guid")
{
    public override void Write(StateWriter output, Guid value) => output.WriteGuid(value);

    public override Guid Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return input.ReadGuid();
    }
}

/// <summary>Null is the null length prefix; "" is a zero length. The interface's <c>T</c> is <c>string</c>, but null round-trips.</summary>
internal sealed class StringStateSerializer() : BuiltInStateSerializer<string>("utf8")
{
    public override void Write(StateWriter output, string value) => output.WriteString(value);

    public override string Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return input.ReadString()!;
    }
}

internal sealed class ByteArrayStateSerializer() : BuiltInStateSerializer<byte[]>("bytes")
{
    public override void Write(StateWriter output, byte[] value) => output.WriteByteArray(value);

    public override byte[] Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return input.ReadByteArray()!;
    }
}

/// <summary>
/// One little-endian <c>uint64</c>: bits 0-61 the ticks, bits 62-63 the <see cref="DateTimeKind"/> — the layout
/// <see cref="DateTime"/> itself uses. Local times are stored as their clock reading, not converted.
/// </summary>
internal sealed class DateTimeStateSerializer() : BuiltInStateSerializer<DateTime>("datetime")
{
    private const ulong TicksMask = 0x3FFF_FFFF_FFFF_FFFF;

    public override void Write(StateWriter output, DateTime value) =>
        output.WriteUInt64((ulong)value.Ticks | ((ulong)value.Kind << 62));

    public override DateTime Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        var raw = input.ReadUInt64();
        var ticks = (long)(raw & TicksMask);
        var kind = (int)(raw >> 62);
        if (ticks > DateTime.MaxValue.Ticks || kind > (int)DateTimeKind.Local)
        {
            input.ThrowInvalid($"DateTime (ticks {ticks}, kind {kind}) ending");
        }
        return new DateTime(ticks, (DateTimeKind)kind);
    }
}

/// <summary>The clock ticks as <c>int64</c> then the offset in whole minutes as <c>int16</c>: 10 bytes.</summary>
internal sealed class DateTimeOffsetStateSerializer() : BuiltInStateSerializer<DateTimeOffset>("datetimeoffset")
{
    public override void Write(StateWriter output, DateTimeOffset value)
    {
        output.WriteInt64(value.Ticks);
        output.WriteInt16((short)value.TotalOffsetMinutes);
    }

    public override DateTimeOffset Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        var ticks = input.ReadInt64();
        var minutes = input.ReadInt16();
        try
        {
            return new DateTimeOffset(ticks, TimeSpan.FromMinutes(minutes));
        }
        catch (ArgumentException ex)
        {
            throw new StateFormatException($"Invalid state: DateTimeOffset (ticks {ticks}, offset {minutes} min) ending at offset {input.Position}.", ex);
        }
    }
}

internal sealed class TimeSpanStateSerializer() : BuiltInStateSerializer<TimeSpan>("timespan")
{
    public override void Write(StateWriter output, TimeSpan value) => output.WriteInt64(value.Ticks);

    public override TimeSpan Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return new TimeSpan(input.ReadInt64());
    }
}

/// <summary><see cref="DateOnly.DayNumber"/> as <c>int32</c>.</summary>
internal sealed class DateOnlyStateSerializer() : BuiltInStateSerializer<DateOnly>("dateonly")
{
    public override void Write(StateWriter output, DateOnly value) => output.WriteInt32(value.DayNumber);

    public override DateOnly Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        var day = input.ReadInt32();
        if ((uint)day > (uint)DateOnly.MaxValue.DayNumber)
        {
            input.ThrowInvalid($"DateOnly day number {day} ending");
        }
        return DateOnly.FromDayNumber(day);
    }
}

/// <summary><see cref="TimeOnly.Ticks"/> as <c>int64</c>.</summary>
internal sealed class TimeOnlyStateSerializer() : BuiltInStateSerializer<TimeOnly>("timeonly")
{
    public override void Write(StateWriter output, TimeOnly value) => output.WriteInt64(value.Ticks);

    public override TimeOnly Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        var ticks = input.ReadInt64();
        if ((ulong)ticks > (ulong)TimeOnly.MaxValue.Ticks)
        {
            input.ThrowInvalid($"TimeOnly ticks {ticks} ending");
        }
        return new TimeOnly(ticks);
    }
}

/// <summary>An enum as its underlying integer, in that integer's encoding: <c>enum(int32)</c>.</summary>
internal sealed class EnumStateSerializer<TEnum> : BuiltInStateSerializer<TEnum> where TEnum : struct, Enum
{
    private static readonly int s_size = Unsafe.SizeOf<TEnum>();

    public EnumStateSerializer(string underlyingFormatId) : base($"enum({underlyingFormatId})")
    {
    }

    public override void Write(StateWriter output, TEnum value)
    {
        switch (s_size)
        {
            case 1:
                output.WriteByte(Unsafe.As<TEnum, byte>(ref value));
                break;
            case 2:
                output.WriteUInt16(Unsafe.As<TEnum, ushort>(ref value));
                break;
            case 4:
                output.WriteUInt32(Unsafe.As<TEnum, uint>(ref value));
                break;
            default:
                output.WriteUInt64(Unsafe.As<TEnum, ulong>(ref value));
                break;
        }
    }

    public override TEnum Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        switch (s_size)
        {
            case 1:
                var b = input.ReadByte();
                return Unsafe.As<byte, TEnum>(ref b);
            case 2:
                var s = input.ReadUInt16();
                return Unsafe.As<ushort, TEnum>(ref s);
            case 4:
                var i = input.ReadUInt32();
                return Unsafe.As<uint, TEnum>(ref i);
            default:
                var l = input.ReadUInt64();
                return Unsafe.As<ulong, TEnum>(ref l);
        }
    }
}
