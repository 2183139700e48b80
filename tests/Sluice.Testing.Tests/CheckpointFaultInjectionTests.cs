namespace Sluice.Testing.Tests;

/// <summary>
/// The fault syntax of <see cref="CheckpointFaultInjection"/>. The kill itself is proven end to end by the kill
/// harness's tests (tests/Sluice.Bench.Cli.Tests, <c>ChaosTests</c>): a test host cannot kill itself.
/// </summary>
public sealed class CheckpointFaultInjectionTests
{
    [Theory]
    [InlineData("snapshot:3")]
    [InlineData("before-manifest:1")]
    [InlineData("before-commit:*")]
    [InlineData("restore:*")]
    public void IsValid_PhaseAndCheckpoint_IsAccepted(string fault)
    {
        CheckpointFaultInjection.IsValid(fault).ShouldBeTrue();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("snapshot")]
    [InlineData("explode:3")]
    [InlineData("snapshot:-1")]
    [InlineData("snapshot:3:4")]
    [InlineData("Snapshot:3")]
    public void IsValid_AnythingElse_IsRefused(string? fault)
    {
        CheckpointFaultInjection.IsValid(fault).ShouldBeFalse();
    }

    [Fact]
    public void Install_UnknownPhase_ThrowsFormatExceptionNamingThePhases()
    {
        var error = Should.Throw<FormatException>(() => CheckpointFaultInjection.Install("explode:3"));

        error.Message.ShouldBe("'explode:3' is not a checkpoint fault: write <phase>:<checkpoint id|*> with phase snapshot, before-manifest, before-commit or restore.");
    }
}
