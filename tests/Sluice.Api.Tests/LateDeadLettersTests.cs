using System.Text;
using Sluice.Formats;
using Sluice.Testing;

namespace Sluice.Api.Tests;

public sealed class LateDeadLettersTests
{
    private sealed record Click(string User, long Ts);

    [Fact]
    public void AsLateDeadLetters_LateRecord_IsALateLetterWithEventTimeBytesKeyAndOrigin()
    {
        using var driver = new OperatorTestDriver<Click, DeadLetter>(s => s.AsLateDeadLetters("clicks", MessageSerializers.Json<Click>(key: c => c.User)));

        driver.ProcessWatermark(50).ProcessElement(new Click("u1", 12), 12).Finish();

        var letter = driver.Values.ShouldHaveSingleItem();
        (letter.Kind, letter.EventTime, letter.Source, letter.Operator).ShouldBe((DeadLetterKind.Late, 12L, "clicks", "LateDeadLetters"));
        letter.Origin.ShouldBe(new RecordOrigin("clicks"));
        letter.Reason.ShouldBe("The record at event time 12 arrived late, after its window closed (watermark 50).");
        Encoding.UTF8.GetString(letter.Original!).ShouldBe("{\"user\":\"u1\",\"ts\":12}");
        Encoding.UTF8.GetString(letter.OriginalKey!).ShouldBe("u1");
        letter.Payload.ShouldBe("{\"user\":\"u1\",\"ts\":12}");
    }
}
