namespace Sluice.Server.Tests.Dashboard;

/// <summary>One server shared by a test class (each test uses its own topic names).</summary>
public sealed class DashboardServer : IAsyncLifetime
{
    private ServerFixture? _fixture;

    /// <summary>The running server and its clients.</summary>
    public ServerFixture Fixture => _fixture ?? throw new InvalidOperationException("The server has not started.");

    /// <inheritdoc />
    public async Task InitializeAsync() => _fixture = await ServerFixture.StartAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }
    }
}
