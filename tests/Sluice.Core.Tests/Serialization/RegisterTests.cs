using Sluice.State.Serialization;
using static Sluice.Core.Tests.Serialization.SerializationTestHelpers;

namespace Sluice.Core.Tests.Serialization;

public class RegisterTests
{
    // Each test uses its own types: registrations are process-wide and cannot be undone.
    public sealed record Money(long Cents);

    public sealed record AlreadyUsed(int A);

    public sealed record Versioned(int A);

    private sealed class MoneySerializer : IStateSerializer<Money>
    {
        public string FormatId => "money";

        public int Version => 1;

        public void Write(StateWriter output, Money value) => output.WriteZigZagInt64(value.Cents);

        public Money Read(StateReader input, int version) => new(input.ReadZigZagInt64());
    }

    private sealed class VersionedSerializer : IStateSerializer<Versioned>
    {
        public string FormatId => "versioned";

        public int Version => 3;

        public void Write(StateWriter output, Versioned value) => output.WriteInt32(value.A);

        public Versioned Read(StateReader input, int version) => new(input.ReadInt32());
    }

    [Fact]
    public void Register_ReplacesJson_AlsoInsideComposites()
    {
        var serializer = new MoneySerializer();
        StateSerializers.Register(serializer);
        StateSerializers.Register(serializer); // the same instance again is fine
        StateSerializers.For<Money>().ShouldBeSameAs(serializer);
        StateSerializers.For<List<Money>>().FormatId.ShouldBe("list(money)");
        ToHex(Write(new List<Money> { new(-1) })).ShouldBe("0101");
        RoundTrip(new Dictionary<string, Money> { ["a"] = new(5) })["a"].ShouldBe(new Money(5));
    }

    [Fact]
    public void Register_AfterResolution_Throws()
    {
        StateSerializers.For<AlreadyUsed>().FormatId.ShouldStartWith("json:");
        Should.Throw<InvalidOperationException>(() => StateSerializers.Register(new JsonLikeSerializer()))
            .Message.ShouldContain("at startup");
    }

    [Fact]
    public void PartWithVersionAbove1_AppearsInCompositeId()
    {
        StateSerializers.Register(new VersionedSerializer());
        StateSerializers.For<(Versioned, int)>().FormatId.ShouldBe("tuple2(versioned@v3,int32)");
        StateSerializers.Describe<List<Versioned>>().ShouldBe(new SerializerDescriptor("list(versioned@v3)", 1));
    }

    [Fact]
    public void Register_Null_Throws() =>
        Should.Throw<ArgumentNullException>(() => StateSerializers.Register<Money>(null!));

    private sealed class JsonLikeSerializer : IStateSerializer<AlreadyUsed>
    {
        public string FormatId => "other";

        public int Version => 1;

        public void Write(StateWriter output, AlreadyUsed value) => output.WriteInt32(value.A);

        public AlreadyUsed Read(StateReader input, int version) => new(input.ReadInt32());
    }
}
