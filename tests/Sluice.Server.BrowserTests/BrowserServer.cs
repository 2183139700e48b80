using Microsoft.Playwright;
using Sluice.Server.Tests;

namespace Sluice.Server.BrowserTests;

/// <summary>
/// One real server (<see cref="ServerFixture"/>) and one headless chromium per test class: the machine's
/// <c>/usr/bin/chromium</c> through Playwright's bundled driver (browsers are never downloaded). Each test opens its own
/// page (<see cref="NewPageAsync"/>) and closes it.
/// </summary>
public sealed class BrowserServer : IAsyncLifetime
{
    /// <summary>The chromium the tests drive (Debian's package; test.sh installs it when missing).</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>How long an expectation polls before it fails.</summary>
    public static readonly TimeSpan ExpectTimeout = TimeSpan.FromSeconds(15);

    private ServerFixture? _fixture;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The server's data directory (kept at dispose), or null for a fresh temporary one (deleted at dispose).</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Changes the server's options before it starts (e.g. a DAGs folder), or null.</summary>
    public Func<SluiceServerOptions, SluiceServerOptions>? Configure { get; init; }

    /// <summary>The server and its HTTP clients.</summary>
    public ServerFixture Fixture => _fixture ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>The server.</summary>
    public SluiceServer Server => Fixture.Server;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _fixture = await ServerFixture.StartAsync(DataDirectory, Configure);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Args = ["--no-sandbox"],
            Headless = true,
        });
        Assertions.SetDefaultExpectTimeout((float)ExpectTimeout.TotalMilliseconds);
    }

    /// <summary>Opens a page in a fresh context (own sessionStorage) at <paramref name="path"/>, polling every 200 ms.</summary>
    public async Task<IPage> NewPageAsync(string path, int width = 1280, int height = 800)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, BaseURL = Server.Address.ToString() });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout((float)ExpectTimeout.TotalMilliseconds);
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        await page.GotoAsync($"{path}{separator}interval=200");
        return page;
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }
    }
}
