using Sluice.State.Serialization;

namespace Sluice.Core.Tests.Serialization;

public class AllocationTests
{
    private const int Count = 10_000;

    [Fact]
    public void Writing_Int64AndStrings_IntoPreGrownWriter_AllocatesNothing()
    {
        var strings = new string[16];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = "key-" + i + "-ü€😀";
        }
        var writer = new StateWriter(0);
        var longs = StateSerializers.For<long>();
        var utf8 = StateSerializers.For<string>();
        var tuples = StateSerializers.For<(string, long)>();

        void WriteAll()
        {
            writer.Reset();
            for (var i = 0; i < Count; i++)
            {
                writer.WriteInt64(i);
                writer.WriteString(strings[i & 15]);
                writer.WriteVarInt64((ulong)i);
                longs.Write(writer, -i);
                utf8.Write(writer, strings[i & 15]);
                tuples.Write(writer, (strings[i & 15], i));
            }
        }

        WriteAll(); // grows the buffer and warms up
        var before = GC.GetAllocatedBytesForCurrentThread();
        WriteAll();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        allocated.ShouldBe(0);
    }

    [Fact]
    public void Reading_Primitives_AllocatesNothing()
    {
        var writer = new StateWriter();
        for (var i = 0; i < Count; i++)
        {
            writer.WriteInt64(i);
            writer.WriteInt32(i);
            writer.WriteDouble(i);
            writer.WriteVarInt64((ulong)i * 1000);
            writer.WriteZigZagInt32(-i);
            writer.WriteDecimal(i);
            writer.WriteGuid(Guid.Empty);
            writer.WriteBool(true);
        }
        var bytes = writer.WrittenMemory;
        var reader = new StateReader(bytes);
        var longs = StateSerializers.For<long>();
        var tuple = StateSerializers.For<(int, double)>();

        long ReadAll()
        {
            reader.Reset(bytes);
            long sum = 0;
            for (var i = 0; i < Count; i++)
            {
                sum += longs.Read(reader, 1);
                var (a, b) = tuple.Read(reader, 1);
                sum += a + (long)b;
                sum += (long)reader.ReadVarInt64();
                sum += reader.ReadZigZagInt32();
                sum += (long)reader.ReadDecimal();
                sum += reader.ReadGuid() == Guid.Empty ? 1 : 0;
                sum += reader.ReadBool() ? 1 : 0;
            }
            return sum;
        }

        ReadAll();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var total = ReadAll();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        allocated.ShouldBe(0);
        reader.IsAtEnd.ShouldBeTrue();
        total.ShouldNotBe(0);
    }

    [Fact]
    public void OneMillionKeyedEntries_RoundTrip()
    {
        var serializer = StateSerializers.For<(string, long)>();
        var writer = new StateWriter();
        var keys = new string[1000];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = "customer-" + i;
        }
        for (var i = 0; i < 1_000_000; i++)
        {
            serializer.Write(writer, (keys[i % 1000], i));
        }
        var reader = new StateReader(writer.WrittenMemory);
        long sum = 0;
        for (var i = 0; i < 1_000_000; i++)
        {
            sum += serializer.Read(reader, 1).Item2;
        }
        sum.ShouldBe(499_999_500_000L);
        reader.IsAtEnd.ShouldBeTrue();
    }
}
