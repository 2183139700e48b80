using Sluice.Security;

namespace Sluice.Core.Tests.Security;

public sealed class SecretOptionsTests
{
    [Theory]
    [InlineData("properties.sasl.password")]
    [InlineData("properties.sasl.jaas.config")]
    [InlineData("password")]
    [InlineData("S3.Secret-Key")]
    [InlineData("schema.registry.basic-auth.user-info")]
    [InlineData("properties.sasl.oauthbearer.config")]
    [InlineData("api-key")]
    [InlineData("fs.azure.account.key.acct.blob.core.windows.net")]
    [InlineData("token")]
    public void IsSecret_SecretKeys_IsTrue(string key) => SecretOptions.IsSecret(key).ShouldBeTrue();

    [Theory]
    [InlineData("connector")]
    [InlineData("properties.bootstrap.servers")]
    [InlineData("topic")]
    [InlineData("username")]
    [InlineData("format")]
    public void IsSecret_OrdinaryKeys_IsFalse(string key) => SecretOptions.IsSecret(key).ShouldBeFalse();

    [Fact]
    public void Mask_HidesSecretValuesOnly()
    {
        SecretOptions.Mask("password", "hunter2").ShouldBe("******");
        SecretOptions.Mask("topic", "bids").ShouldBe("bids");
    }
}
