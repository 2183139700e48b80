using Sluice.Schemas;

namespace Sluice.Core.Tests.Schemas;

public enum Tier
{
    Free,
    Gold,
}

public sealed record Scalars(
    bool B, byte U8, sbyte I8, short I16, ushort U16, int I32, uint U32, long I64, ulong U64, float F, double D, decimal M,
    string S, byte[] Y, DateOnly Day, TimeOnly Clock, DateTime At, DateTimeOffset Seen, Tier Tier, Guid Id);

public sealed record Nullables(bool? B, int? I, long? L, decimal? M, string? S, byte[]? Y, DateTime? At, Tier? Tier, Guid? Id);

public sealed record Address(string Street, int? Number);

public sealed record Customer(
    long Id, Address Home, Address? Work, List<string?> Tags, int[] Scores, IReadOnlyList<Address> Previous,
    Dictionary<string, long?> Counts, IReadOnlyDictionary<Tier, Address?>? ByTier);

public readonly record struct Point(int X, int Y);

public sealed record Shape(Point Origin, Point? Corner, List<Point?> Vertices);

public sealed class Settable
{
    public long HTTPStatus { get; init; }

    public string? Url { get; set; }

    public static int Ignored { get; set; }

    public int this[int i] => i;
}

public sealed class Constructed(long id, string name)
{
    public long Id { get; } = id;

    public string Name { get; } = name;

    public int Extra { get; set; }
}

public sealed class ReadOnlyOnly
{
    public long Id { get; }
}

public sealed record Hinted(
    [DataTypeHint("DECIMAL(18, 4)")] decimal Price,
    [DataTypeHint("TIMESTAMP(3)")] DateTime At,
    [FieldName("user_id")] string UserId,
    [property: DataTypeHint("TIME(0)")] TimeOnly? Clock);

public sealed record Renamed
{
    [FieldName("the name")]
    public required string Name { get; init; }
}

public sealed record Primitives(bool B, int I, long L, double D, decimal M, DateTime At, DateOnly Day, Tier Tier, string S);

public sealed record WithTimeSpan(long Id, TimeSpan Elapsed);

public sealed record WithTimeSpans(long Id, List<TimeSpan> Elapsed);

public sealed record BadHint([DataTypeHint("BIGINT")] int Count);

public sealed record UnparsableHint([DataTypeHint("DECIMAL(")] decimal Price);

public sealed record Node(long Id, Node? Next);

public sealed record Duplicate([FieldName("a")] int A1, [FieldName("a")] int A2);

public sealed record Narrow(short Small, byte Tiny, uint Unsigned);

public sealed record DocumentedOrder(
    [FieldName("order_id")] string Id,
    [DataTypeHint("DECIMAL(18, 4)")] decimal Amount,
    [DataTypeHint("TIMESTAMP(3)")] DateTime PlacedAt,
    IReadOnlyList<string> Tags);

public sealed class RowConverterTests
{
    [Fact]
    public void Schema_EveryScalarType_MapsAsDocumented()
    {
        RowConverter<Scalars>.Default.Schema.ToString().ShouldBe(
            "ROW<B BOOLEAN NOT NULL, U8 INT NOT NULL, I8 INT NOT NULL, I16 INT NOT NULL, U16 INT NOT NULL, I32 INT NOT NULL, " +
            "U32 BIGINT NOT NULL, I64 BIGINT NOT NULL, U64 DECIMAL(20, 0) NOT NULL, F FLOAT NOT NULL, D DOUBLE NOT NULL, " +
            "M DECIMAL(28, 10) NOT NULL, S VARCHAR NOT NULL, Y BYTES NOT NULL, Day DATE NOT NULL, Clock TIME(7) NOT NULL, " +
            "At TIMESTAMP(7) NOT NULL, Seen TIMESTAMP_LTZ(7) NOT NULL, Tier VARCHAR NOT NULL, Id VARCHAR NOT NULL>");
    }

    [Fact]
    public void Schema_NullableValueAndAnnotatedReferenceTypes_AreNullable()
    {
        RowConverter<Nullables>.Default.Schema.ToString().ShouldBe(
            "ROW<B BOOLEAN, I INT, L BIGINT, M DECIMAL(28, 10), S VARCHAR, Y BYTES, At TIMESTAMP(7), Tier VARCHAR, Id VARCHAR>");
    }

    [Fact]
    public void Schema_NestedRecordsListsAndDictionaries_MapToRowArrayAndMap()
    {
        RowConverter<Customer>.Default.Schema.ToString().ShouldBe(
            "ROW<Id BIGINT NOT NULL, Home ROW<Street VARCHAR NOT NULL, Number INT> NOT NULL, Work ROW<Street VARCHAR NOT NULL, Number INT>, " +
            "Tags ARRAY<VARCHAR> NOT NULL, Scores ARRAY<INT NOT NULL> NOT NULL, " +
            "Previous ARRAY<ROW<Street VARCHAR NOT NULL, Number INT> NOT NULL> NOT NULL, " +
            "Counts MAP<VARCHAR NOT NULL, BIGINT> NOT NULL, ByTier MAP<VARCHAR NOT NULL, ROW<Street VARCHAR NOT NULL, Number INT>>>");
    }

    [Fact]
    public void Schema_ClassWithSetters_PublicInstancePropertiesInOrder()
    {
        RowConverter<Settable>.Default.Schema.ToString().ShouldBe("ROW<HTTPStatus BIGINT NOT NULL, Url VARCHAR>");
    }

    [Fact]
    public void Schema_HintsAndFieldNames_OverrideTypeAndName()
    {
        RowConverter<Hinted>.Default.Schema.ToString().ShouldBe(
            "ROW<Price DECIMAL(18, 4) NOT NULL, At TIMESTAMP(3) NOT NULL, user_id VARCHAR NOT NULL, Clock TIME(0)>");
        RowConverter<Renamed>.Default.Schema.ToString().ShouldBe("ROW<`the name` VARCHAR NOT NULL>");
    }

    [Fact]
    public void Schema_ExampleOfTheConceptsDoc_IsAsDocumented()
    {
        RowConverter<DocumentedOrder>.Default.Schema.ToString().ShouldBe(
            "ROW<order_id VARCHAR NOT NULL, Amount DECIMAL(18, 4) NOT NULL, PlacedAt TIMESTAMP(3) NOT NULL, Tags ARRAY<VARCHAR NOT NULL> NOT NULL>");
    }

    [Fact]
    public void ToRow_Scalars_HoldsTheRowValues()
    {
        var id = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        var value = new Scalars(true, 200, -8, -16, 60000, 32, 4_000_000_000, -64, ulong.MaxValue, 1.5f, 2.25, 12.5m, "s", [7],
            new DateOnly(2026, 12, 5), new TimeOnly(13, 45), new DateTime(2026, 12, 5, 13, 45, 0, DateTimeKind.Utc),
            new DateTimeOffset(2026, 12, 5, 15, 45, 0, TimeSpan.FromHours(2)), Tier.Gold, id);

        var row = RowConverter<Scalars>.Default.ToRow(value);

        row.ToString().ShouldBe(
            "+I[true, 200, -8, -16, 60000, 32, 4000000000, -64, 18446744073709551615, 1.5, 2.25, 12.5000000000, s, 0x07, 2026-12-05, " +
            "13:45:00, 2026-12-05T13:45:00, 2026-12-05T13:45:00Z, Gold, 00112233-4455-6677-8899-aabbccddeeff]");
        row.GetTimestamp(16).Kind.ShouldBe(DateTimeKind.Unspecified);
    }

    [Fact]
    public void FromRow_Scalars_RoundTripsEveryProperty()
    {
        var value = new Scalars(false, 1, -1, short.MinValue, ushort.MaxValue, int.MaxValue, uint.MaxValue, long.MinValue, 123, -0.5f, double.MaxValue,
            -0.0000000001m, "héllo", [], DateOnly.MinValue, TimeOnly.MaxValue, new DateTime(2000, 1, 1), DateTimeOffset.UnixEpoch, Tier.Free, Guid.Empty);
        var converter = RowConverter<Scalars>.Default;

        var back = converter.FromRow(converter.ToRow(value));

        back.ShouldBe(value with { Y = back.Y });
        back.Y.ShouldBeEmpty();
    }

    [Fact]
    public void FromRow_Nullables_RoundTripsNullsAndValues()
    {
        var converter = RowConverter<Nullables>.Default;
        var empty = new Nullables(null, null, null, null, null, null, null, null, null);
        var full = new Nullables(true, 1, 2, 3.5m, "x", null, new DateTime(2001, 2, 3), Tier.Gold, Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"));

        converter.ToRow(empty).ToString().ShouldBe("+I[null, null, null, null, null, null, null, null, null]");
        converter.FromRow(converter.ToRow(empty)).ShouldBe(empty);
        converter.FromRow(converter.ToRow(full)).ShouldBe(full);
    }

    [Fact]
    public void FromRow_NestedRecordsListsAndDictionaries_RoundTrip()
    {
        var converter = RowConverter<Customer>.Default;
        var value = new Customer(7, new Address("Main", 1), null, ["a", null], [3, 4], [new Address("Old", null)],
            new Dictionary<string, long?> { ["x"] = 1, ["y"] = null }, new Dictionary<Tier, Address?> { [Tier.Gold] = null, [Tier.Free] = new Address("F", 2) });

        var row = converter.ToRow(value);
        var back = converter.FromRow(row);

        row.ToString().ShouldBe("+I[7, +I[Main, 1], null, [a, null], [3, 4], [+I[Old, null]], {x=1, y=null}, {Gold=null, Free=+I[F, 2]}]");
        back.Id.ShouldBe(7);
        back.Home.ShouldBe(new Address("Main", 1));
        back.Work.ShouldBeNull();
        back.Tags.ShouldBe(["a", null]);
        back.Scores.ShouldBe([3, 4]);
        back.Previous.ShouldBe([new Address("Old", null)]);
        back.Counts.ShouldBe(new Dictionary<string, long?> { ["x"] = 1, ["y"] = null });
        back.ByTier!.Count.ShouldBe(2);
        back.ByTier[Tier.Free].ShouldBe(new Address("F", 2));
        back.ByTier[Tier.Gold].ShouldBeNull();
    }

    [Fact]
    public void FromRow_RecordStructs_RoundTrip()
    {
        var converter = RowConverter<Shape>.Default;
        var value = new Shape(new Point(1, 2), null, [new Point(3, 4), null]);

        var back = converter.FromRow(converter.ToRow(value));

        converter.Schema.ToString().ShouldBe("ROW<Origin ROW<X INT NOT NULL, Y INT NOT NULL> NOT NULL, Corner ROW<X INT NOT NULL, Y INT NOT NULL>, " +
            "Vertices ARRAY<ROW<X INT NOT NULL, Y INT NOT NULL>> NOT NULL>");
        back.Origin.ShouldBe(new Point(1, 2));
        back.Corner.ShouldBeNull();
        back.Vertices.ShouldBe([new Point(3, 4), null]);
    }

    [Fact]
    public void FromRow_ClassWithInitSetters_SetsProperties()
    {
        var converter = RowConverter<Settable>.Default;

        var back = converter.FromRow(Row.Of(converter.Schema, 404L, "/x"));

        back.HTTPStatus.ShouldBe(404);
        back.Url.ShouldBe("/x");
    }

    [Fact]
    public void FromRow_ClassWithConstructor_PassesConstructorParametersAndSetsTheRest()
    {
        var converter = RowConverter<Constructed>.Default;

        var back = converter.FromRow(Row.Of(converter.Schema, 5L, "five", 9));

        (back.Id, back.Name, back.Extra).ShouldBe((5L, "five", 9));
    }

    [Fact]
    public void FromRow_TypeWithoutConstructorOrSetters_ThrowsNamingTheType()
    {
        var converter = RowConverter<ReadOnlyOnly>.Default;
        var row = converter.ToRow(new ReadOnlyOnly());

        Should.Throw<InvalidOperationException>(() => converter.FromRow(row)).Message.ShouldContain("ReadOnlyOnly");
    }

    [Fact]
    public void ToRow_HintedDecimalAndTimestamp_RoundAndTruncateToTheHint()
    {
        var row = RowConverter<Hinted>.Default.ToRow(new Hinted(1.23456m, new DateTime(2026, 1, 1, 0, 0, 0, 123).AddTicks(4567), "u", new TimeOnly(1, 2, 3, 400)));

        row.GetDecimal(0).ShouldBe(1.2346m);
        row.GetTimestamp(1).ShouldBe(new DateTime(2026, 1, 1, 0, 0, 0, 123));
        row.GetTime(3).ShouldBe(new TimeOnly(1, 2, 3));
    }

    [Fact]
    public void ToRow_LocalDateTime_IsConvertedToUtc()
    {
        var utc = new DateTime(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);
        var converter = RowConverter<Primitives>.Default;

        var row = converter.ToRow(new Primitives(true, 1, 2, 3, 4, utc.ToLocalTime(), default, Tier.Free, ""));

        row.GetTimestamp(5).ShouldBe(new DateTime(2026, 6, 1, 12, 0, 0));
    }

    [Fact]
    public void ToRow_NullInNotNullField_ThrowsNamingTheField()
    {
        var value = new Address(null!, 1);

        Should.Throw<ArgumentException>(() => RowConverter<Address>.Default.ToRow(value)).Message.ShouldContain("'Street'");
    }

    [Fact]
    public void FromRow_NullFieldIntoValueType_ThrowsNamingFieldAndProperty()
    {
        var converter = RowConverter<Point>.ForSchema(Schema.Parse("X INT, Y INT"));

        var ex = Should.Throw<InvalidOperationException>(() => converter.FromRow(Row.Of(converter.Schema, 1, null)));

        ex.Message.ShouldContain("'Y'");
        ex.Message.ShouldContain("Point.Y");
    }

    [Fact]
    public void FromRow_ValueTooLargeForNarrowProperty_ThrowsOverflow()
    {
        var converter = RowConverter<Narrow>.Default;

        Should.Throw<OverflowException>(() => converter.FromRow(Row.Of(converter.Schema, 70_000, 1, 1L)));
        Should.Throw<OverflowException>(() => converter.FromRow(Row.Of(converter.Schema, 1, 1, -1L)));
    }

    [Fact]
    public void FromRow_UnknownEnumName_ThrowsFormatException()
    {
        var converter = RowConverter<Nullables>.Default;
        var row = Row.Of(converter.Schema, null, null, null, null, null, null, null, "Platinum", null);

        Should.Throw<FormatException>(() => converter.FromRow(row)).Message.ShouldContain("Platinum");
    }

    [Fact]
    public void Default_UnsupportedPropertyType_ThrowsNamingTypeAndProperty()
    {
        var ex = Should.Throw<NotSupportedException>(() => RowConverter<WithTimeSpan>.Default);
        ex.Message.ShouldContain("WithTimeSpan.Elapsed");
        ex.Message.ShouldContain("TimeSpan");

        var inList = Should.Throw<NotSupportedException>(() => RowConverter<WithTimeSpans>.Default);
        inList.Message.ShouldContain("WithTimeSpans.Elapsed of type List<TimeSpan>");
    }

    [Fact]
    public void Default_HintOfAnotherKind_ThrowsNamingTheProperty()
    {
        Should.Throw<NotSupportedException>(() => RowConverter<BadHint>.Default).Message.ShouldContain("BadHint.Count");
        Should.Throw<NotSupportedException>(() => RowConverter<UnparsableHint>.Default).Message.ShouldContain("UnparsableHint.Price");
    }

    [Fact]
    public void Default_RecursiveRecord_ThrowsNotSupported() =>
        Should.Throw<NotSupportedException>(() => RowConverter<Node>.Default).Message.ShouldContain("Node");

    [Fact]
    public void Default_DuplicateFieldNames_ThrowsArgumentException() =>
        Should.Throw<ArgumentException>(() => RowConverter<Duplicate>.Default).Message.ShouldContain("'a'");

    [Fact]
    public void Default_NotARecord_ThrowsArgumentException() =>
        Should.Throw<ArgumentException>(() => RowConverter<long>.Default).Message.ShouldContain("record");

    [Fact]
    public void ForSchema_OtherNamesParametersAndNullability_ConvertsIntoThatSchema()
    {
        var schema = Schema.Parse("b BOOLEAN, i INT, l BIGINT, d DOUBLE, price DECIMAL(18, 4), at TIMESTAMP(0), day DATE, tier VARCHAR, s VARCHAR");
        var converter = RowConverter<Primitives>.ForSchema(schema);

        var row = converter.ToRow(new Primitives(true, 1, 2, 3, 1.00005m, new DateTime(2026, 1, 1, 1, 1, 1, 500), new DateOnly(2026, 1, 1), Tier.Gold, "s"));

        row.Schema.ShouldBeSameAs(schema);
        row.GetDecimal(4).ShouldBe(1.0001m);
        row.GetTimestamp(5).ShouldBe(new DateTime(2026, 1, 1, 1, 1, 1));
    }

    [Fact]
    public void ForSchema_OtherKind_ThrowsNamingTheField()
    {
        var schema = Schema.Parse("b BOOLEAN, i BIGINT, l BIGINT, d DOUBLE, m DECIMAL(18, 4), at TIMESTAMP, day DATE, tier VARCHAR, s VARCHAR");

        Should.Throw<ArgumentException>(() => RowConverter<Primitives>.ForSchema(schema)).Message.ShouldContain("'i'");
        Should.Throw<ArgumentException>(() => RowConverter<Primitives>.ForSchema(Schema.Parse("b BOOLEAN"))).Message.ShouldContain("9 fields");
    }

    [Fact]
    public void ToRow_RowOfAnotherSchema_ThrowsArgumentException() =>
        Should.Throw<ArgumentException>(() => RowConverter<Address>.Default.ToRow(new Address("a", 1), new Row(Schema.Parse("a INT"))));

    [Fact]
    public void ToRow_ReusedRowOfPrimitives_AllocatesNothing()
    {
        var converter = RowConverter<Primitives>.Default;
        var row = new Row(converter.Schema);
        var value = new Primitives(true, 1, 2, 3.5, 4.25m, new DateTime(2026, 12, 5, 1, 2, 3, DateTimeKind.Utc), new DateOnly(2026, 12, 5), Tier.Gold, "text");
        converter.ToRow(value, row); // warm up: compile, JIT, enum name cache

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            converter.ToRow(value, row);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.ShouldBe(0);
        row.ToString().ShouldBe("+I[true, 1, 2, 3.5, 4.2500000000, 2026-12-05T01:02:03, 2026-12-05, Gold, text]");
    }
}
