using System.Buffers;
using System.Text;
using Sluice.State.Serialization;
using static Sluice.Core.Tests.Serialization.SerializationTestHelpers;

namespace Sluice.Core.Tests.Serialization;

public class StateWriterReaderTests
{
    [Fact]
    public void FixedWidth_RoundTripEdgeValues()
    {
        var w = new StateWriter(0);
        w.WriteByte(0xFF);
        w.WriteBool(true);
        w.WriteBool(false);
        w.WriteInt16(short.MinValue);
        w.WriteUInt16(ushort.MaxValue);
        w.WriteInt32(int.MinValue);
        w.WriteUInt32(uint.MaxValue);
        w.WriteInt64(long.MinValue);
        w.WriteUInt64(ulong.MaxValue);
        w.WriteSingle(float.NegativeInfinity);
        w.WriteDouble(double.NaN);
        w.WriteDouble(-0.0);
        w.WriteDecimal(decimal.MaxValue);
        w.WriteDecimal(decimal.MinValue);
        w.WriteDecimal(1.00m);
        var guid = Guid.NewGuid();
        w.WriteGuid(guid);

        var r = new StateReader(w.WrittenMemory);
        r.ReadByte().ShouldBe((byte)0xFF);
        r.ReadBool().ShouldBeTrue();
        r.ReadBool().ShouldBeFalse();
        r.ReadInt16().ShouldBe(short.MinValue);
        r.ReadUInt16().ShouldBe(ushort.MaxValue);
        r.ReadInt32().ShouldBe(int.MinValue);
        r.ReadUInt32().ShouldBe(uint.MaxValue);
        r.ReadInt64().ShouldBe(long.MinValue);
        r.ReadUInt64().ShouldBe(ulong.MaxValue);
        r.ReadSingle().ShouldBe(float.NegativeInfinity);
        double.IsNaN(r.ReadDouble()).ShouldBeTrue();
        double.IsNegative(r.ReadDouble()).ShouldBeTrue();
        r.ReadDecimal().ShouldBe(decimal.MaxValue);
        r.ReadDecimal().ShouldBe(decimal.MinValue);
        r.ReadDecimal().ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe("1.00");
        r.ReadGuid().ShouldBe(guid);
        r.IsAtEnd.ShouldBeTrue();
        r.Position.ShouldBe(w.Length);
    }

    [Theory]
    [InlineData(0u, "00")]
    [InlineData(1u, "01")]
    [InlineData(127u, "7F")]
    [InlineData(128u, "8001")]
    [InlineData(300u, "AC02")]
    [InlineData(16383u, "FF7F")]
    [InlineData(16384u, "808001")]
    [InlineData(2097151u, "FFFF7F")]
    [InlineData(2097152u, "80808001")]
    [InlineData(268435455u, "FFFFFF7F")]
    [InlineData(268435456u, "8080808001")]
    [InlineData(uint.MaxValue, "FFFFFFFF0F")]
    public void VarInt32_Boundaries_MatchLeb128(uint value, string hex)
    {
        var w = new StateWriter(0);
        w.WriteVarInt32(value);
        ToHex(w.WrittenSpan).ShouldBe(hex);
        var r = new StateReader(w.WrittenMemory);
        r.ReadVarInt32().ShouldBe(value);
        r.IsAtEnd.ShouldBeTrue();
        new StateReader(w.WrittenMemory).ReadVarInt64().ShouldBe(value);
    }

    [Theory]
    [InlineData(0x7FFFFFFFFUL, "FFFFFFFF7F")]
    [InlineData(0x800000000UL, "808080808001")]
    [InlineData(0x7FFFFFFFFFFFFFFFUL, "FFFFFFFFFFFFFFFF7F")]
    [InlineData(0x8000000000000000UL, "80808080808080808001")]
    [InlineData(ulong.MaxValue, "FFFFFFFFFFFFFFFFFF01")]
    public void VarInt64_Boundaries_MatchLeb128(ulong value, string hex)
    {
        var w = new StateWriter(0);
        w.WriteVarInt64(value);
        ToHex(w.WrittenSpan).ShouldBe(hex);
        var r = new StateReader(w.WrittenMemory);
        r.ReadVarInt64().ShouldBe(value);
        r.IsAtEnd.ShouldBeTrue();
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(-1, "01")]
    [InlineData(1, "02")]
    [InlineData(-2, "03")]
    [InlineData(-64, "7F")]
    [InlineData(64, "8001")]
    [InlineData(int.MaxValue, "FEFFFFFF0F")]
    [InlineData(int.MinValue, "FFFFFFFF0F")]
    public void ZigZagInt32_MapsSmallMagnitudesToShortCodes(int value, string hex)
    {
        var w = new StateWriter(0);
        w.WriteZigZagInt32(value);
        ToHex(w.WrittenSpan).ShouldBe(hex);
        new StateReader(w.WrittenMemory).ReadZigZagInt32().ShouldBe(value);
    }

    [Theory]
    [InlineData(0L, "00")]
    [InlineData(-1L, "01")]
    [InlineData(long.MaxValue, "FEFFFFFFFFFFFFFFFF01")]
    [InlineData(long.MinValue, "FFFFFFFFFFFFFFFFFF01")]
    public void ZigZagInt64_RoundTrips(long value, string hex)
    {
        var w = new StateWriter(0);
        w.WriteZigZagInt64(value);
        ToHex(w.WrittenSpan).ShouldBe(hex);
        new StateReader(w.WrittenMemory).ReadZigZagInt64().ShouldBe(value);
    }

    [Theory]
    [InlineData("8080808010")] // 5th byte carries bits above 32
    [InlineData("8080808080")] // continuation bit on the 5th byte
    public void ReadVarInt32_TooLong_Throws(string hex) =>
        Should.Throw<StateFormatException>(() => new StateReader(Hex(hex)).ReadVarInt32()).Message.ShouldContain("offset 0");

    [Theory]
    [InlineData("FFFFFFFFFFFFFFFFFF02")]
    [InlineData("FFFFFFFFFFFFFFFFFF8001")]
    public void ReadVarInt64_TooLong_Throws(string hex) =>
        Should.Throw<StateFormatException>(() => new StateReader(Hex(hex)).ReadVarInt64());

    [Theory]
    [InlineData("")]
    [InlineData("80")]
    [InlineData("FFFF")]
    [InlineData("FFFFFFFF")]
    public void ReadVarInt_Truncated_Throws(string hex)
    {
        Should.Throw<StateFormatException>(() => new StateReader(Hex(hex)).ReadVarInt32()).Message.ShouldContain("Truncated");
        Should.Throw<StateFormatException>(() => new StateReader(Hex(hex)).ReadVarInt64()).Message.ShouldContain("Truncated");
    }

    [Theory]
    [InlineData("")]
    [InlineData("é")]
    [InlineData("hello, world")]
    [InlineData("Zürich ✓ 😀 日本語")]
    [InlineData(null)]
    public void String_RoundTrips(string? value)
    {
        var w = new StateWriter(0);
        w.WriteString(value);
        w.WriteInt32(7);
        var r = new StateReader(w.WrittenMemory);
        r.ReadString().ShouldBe(value);
        r.ReadInt32().ShouldBe(7);
    }

    [Fact]
    public void String_LongerThanBuffer_GrowsAndRoundTrips()
    {
        var value = new string('ж', 100_000);
        var w = new StateWriter(4);
        w.WriteString(value);
        w.Length.ShouldBe(3 + 200_000);
        new StateReader(w.WrittenMemory).ReadString().ShouldBe(value);
    }

    [Fact]
    public void String_NullAndEmpty_AreDistinct()
    {
        var w = new StateWriter();
        w.WriteString(null);
        w.WriteString("");
        ToHex(w.WrittenSpan).ShouldBe("FFFFFFFF0F00");
        var r = new StateReader(w.WrittenMemory);
        r.ReadString().ShouldBeNull();
        r.ReadString().ShouldBe(string.Empty);
    }

    [Fact]
    public void WriteString_LoneSurrogate_ThrowsAndLeavesWriterUnchanged()
    {
        var w = new StateWriter();
        w.WriteInt32(1);
        Should.Throw<ArgumentException>(() => w.WriteString("a\uD800b"));
        w.Length.ShouldBe(4);
    }

    [Fact]
    public void ReadString_InvalidUtf8_Throws()
    {
        var ex = Should.Throw<StateFormatException>(() => new StateReader(Hex("02 C3 28")).ReadString());
        ex.Message.ShouldContain("UTF-8");
    }

    [Fact]
    public void ReadString_LengthBeyondInput_ThrowsWithOffset()
    {
        var r = new StateReader(Hex("00 05 61 62"));
        r.ReadByte();
        var ex = Should.Throw<StateFormatException>(() => r.ReadString());
        ex.Message.ShouldContain("offset 1");
        r.Position.ShouldBe(1);
    }

    [Fact]
    public void ReadLength_AboveIntMax_Throws() =>
        Should.Throw<StateFormatException>(() => new StateReader(Hex("8080808008")).ReadLength());

    [Fact]
    public void Bytes_RoundTrip_AsSliceOfInput()
    {
        var w = new StateWriter();
        w.WriteBytes([1, 2, 3]);
        w.WriteBytes([]);
        w.WriteByteArray(null);
        w.WriteByteArray([9]);
        w.WriteRaw([7, 7]);
        ToHex(w.WrittenSpan).ShouldBe("03010203" + "00" + "FFFFFFFF0F" + "0109" + "0707");
        var input = w.WrittenSpan.ToArray();
        var r = new StateReader(input);
        var slice = r.ReadBytes();
        slice.ToArray().ShouldBe(new byte[] { 1, 2, 3 });
        r.ReadBytes().Length.ShouldBe(0);
        r.ReadByteArray().ShouldBeNull();
        r.ReadByteArray().ShouldBe(new byte[] { 9 });
        r.ReadRaw(2).ToArray().ShouldBe(new byte[] { 7, 7 });
        r.EnsureAtEnd();
        input[1] = 42;
        slice.Span[0].ShouldBe((byte)42); // a slice, not a copy
    }

    [Fact]
    public void ReadBytes_OnNull_Throws() =>
        Should.Throw<StateFormatException>(() => new StateReader(Hex("FFFFFFFF0F")).ReadBytes());

    [Fact]
    public void ReadBool_NotZeroOrOne_Throws() =>
        Should.Throw<StateFormatException>(() => new StateReader(Hex("02")).ReadBool()).Message.ShouldContain("offset 0");

    [Theory]
    [InlineData("00 00 00 00 00 00 00 00 00 00 00 00 00 00 1D 00")] // scale 29
    [InlineData("00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00")] // stray low bits
    public void ReadDecimal_InvalidFlags_Throws(string hex) =>
        Should.Throw<StateFormatException>(() => new StateReader(Hex(hex)).ReadDecimal());

    [Fact]
    public void EveryRead_OnEmptyInput_ThrowsStateFormatException()
    {
        var reads = new Action<StateReader>[]
        {
            r => r.ReadByte(), r => r.ReadBool(), r => r.ReadInt16(), r => r.ReadUInt16(), r => r.ReadInt32(),
            r => r.ReadUInt32(), r => r.ReadInt64(), r => r.ReadUInt64(), r => r.ReadSingle(), r => r.ReadDouble(),
            r => r.ReadDecimal(), r => r.ReadGuid(), r => r.ReadVarInt32(), r => r.ReadVarInt64(),
            r => r.ReadZigZagInt32(), r => r.ReadZigZagInt64(), r => r.ReadLength(), r => r.ReadString(),
            r => r.ReadBytes(), r => r.ReadByteArray(), r => r.ReadRaw(1),
        };
        foreach (var read in reads)
        {
            var reader = new StateReader(new byte[] { 0x42, 0x01 }.AsMemory(2));
            Should.Throw<StateFormatException>(() => read(reader)).Message.ShouldContain("offset 0");
        }
    }

    [Fact]
    public void FixedRead_Truncated_ReportsOffsetAndKeepsPosition()
    {
        var r = new StateReader(Hex("01 02 03 04 05 06"));
        r.ReadInt16();
        var ex = Should.Throw<StateFormatException>(() => r.ReadInt64());
        ex.Message.ShouldContain("needed 8 byte(s) at offset 2");
        r.Position.ShouldBe(2);
        r.Remaining.ShouldBe(4);
    }

    [Fact]
    public void EnsureAtEnd_TrailingBytes_Throws()
    {
        var r = new StateReader(Hex("01 02"));
        r.ReadByte();
        Should.Throw<StateFormatException>(r.EnsureAtEnd).Message.ShouldContain("offset 1");
    }

    [Fact]
    public void Reset_KeepsBufferAndStartsOver()
    {
        var w = new StateWriter(16);
        w.WriteInt64(1);
        w.WriteInt64(2);
        w.WriteInt64(3);
        var capacity = w.Capacity;
        w.Reset();
        w.Length.ShouldBe(0);
        w.WriteInt32(5);
        w.Capacity.ShouldBe(capacity);
        ToHex(w.WrittenSpan).ShouldBe("05000000");

        var r = new StateReader(Hex("01"));
        r.ReadByte();
        r.Reset(Hex("0203"));
        r.Position.ShouldBe(0);
        r.ReadByte().ShouldBe((byte)2);
    }

    [Fact]
    public void CopyTo_WritesExactlyTheWrittenBytes()
    {
        var w = new StateWriter(64);
        w.WriteString("abc");
        using var stream = new MemoryStream();
        w.CopyTo(stream);
        stream.ToArray().ShouldBe(Hex("03 61 62 63"));
    }

    [Fact]
    public void AsBufferWriter_AppendsRawBytes()
    {
        var w = new StateWriter(0);
        IBufferWriter<byte> buffer = w;
        var span = buffer.GetSpan(3);
        Encoding.ASCII.GetBytes("xyz", span);
        buffer.Advance(3);
        ToHex(w.WrittenSpan).ShouldBe("78797A");
        Should.Throw<ArgumentOutOfRangeException>(() => buffer.Advance(w.Capacity));
    }

    [Fact]
    public void EnsureCapacity_PreGrowsOnce()
    {
        var w = new StateWriter(0);
        w.EnsureCapacity(1000);
        var capacity = w.Capacity;
        capacity.ShouldBeGreaterThanOrEqualTo(1000);
        for (var i = 0; i < 125; i++)
        {
            w.WriteInt64(i);
        }
        w.Capacity.ShouldBe(capacity);
    }
}
