namespace Sluice.Connectors.Kafka.Tests;

/// <summary><see cref="KafkaConnectionOptions.FromPropertiesFile"/>: the client.properties files managed services hand out.</summary>
public sealed class KafkaPropertiesFileTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "sluice-kafka-props-" + Guid.NewGuid().ToString("N") + ".properties");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void ConfluentCloudStyleFile_BootstrapAndPropertiesAreRead_CommentsAndBlankLinesSkipped()
    {
        File.WriteAllLines(_file,
        [
            "# Required connection configs for Kafka producer, consumer, and admin",
            "bootstrap.servers=pkc-abc12.eu-west-1.aws.confluent.cloud:9092",
            "security.protocol=SASL_SSL",
            "sasl.mechanisms = PLAIN",
            "sasl.username=KEY123",
            "sasl.password=abc=def==",
            "",
            "! a Java-properties comment",
            "   session.timeout.ms=45000   ",
        ]);

        var options = KafkaConnectionOptions.FromPropertiesFile(_file);

        options.BootstrapServers.ShouldBe("pkc-abc12.eu-west-1.aws.confluent.cloud:9092");
        options.Properties.ShouldBe(new Dictionary<string, string>
        {
            ["security.protocol"] = "SASL_SSL",
            ["sasl.mechanisms"] = "PLAIN",
            ["sasl.username"] = "KEY123",
            ["sasl.password"] = "abc=def==",
            ["session.timeout.ms"] = "45000",
        }, ignoreOrder: true);
        options.ToString().ShouldNotContain("abc=def==");
    }

    [Fact]
    public void GivenBootstrap_WinsOverTheFiles()
    {
        File.WriteAllLines(_file, ["bootstrap.servers=from-file:9092", "client.id=x"]);

        var options = KafkaConnectionOptions.FromPropertiesFile(_file, "given:9092");

        options.BootstrapServers.ShouldBe("given:9092");
        options.Properties.Keys.ShouldBe(["client.id"]);
    }

    [Fact]
    public void MalformedLine_FailsWithItsNumber_WithoutEchoingIt()
    {
        File.WriteAllLines(_file, ["bootstrap.servers=b:9092", "sasl.password s3cr3t"]);

        var e = Should.Throw<FormatException>(() => KafkaConnectionOptions.FromPropertiesFile(_file));

        e.Message.ShouldContain("line 2");
        e.Message.ShouldNotContain("s3cr3t");
    }

    [Fact]
    public void NoBootstrapAnywhere_Fails()
    {
        File.WriteAllLines(_file, ["security.protocol=SSL"]);

        Should.Throw<FormatException>(() => KafkaConnectionOptions.FromPropertiesFile(_file)).Message.ShouldContain("bootstrap.servers");
    }
}
