using System.Net;

namespace Sluice.Server.Tests.Dashboard;

public sealed class DashboardPageTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    private ServerFixture Fixture => server.Fixture;

    [Theory]
    [InlineData("/")]
    [InlineData("/jobs/some-job")]
    [InlineData("/topics")]
    [InlineData("/dlq")]
    [InlineData("/lineage")]
    [InlineData("/dags")]
    [InlineData("/dags/nightly")]
    public async Task Page_Get_AnswersTheDashboardHtml(string path)
    {
        using var response = await Fixture.Anonymous.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        (await response.Content.ReadAsStringAsync()).ShouldContain("<script type=\"module\" src=\"/ui/app.js\"></script>");
    }

    [Fact]
    public async Task Asset_Script_IsJavaScriptWithETag()
    {
        using var response = await Fixture.Anonymous.GetAsync("/ui/app.js");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/javascript");
        response.Headers.ETag.ShouldNotBeNull();
    }

    [Fact]
    public async Task Asset_SameETag_Is304()
    {
        using var first = await Fixture.Anonymous.GetAsync("/ui/style.css");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ui/style.css");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var second = await Fixture.Anonymous.SendAsync(request);

        second.StatusCode.ShouldBe(HttpStatusCode.NotModified);
    }

    [Fact]
    public async Task Asset_Unknown_Is404NamingIt()
    {
        using var response = await Fixture.Anonymous.GetAsync("/ui/nothing.js");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).ShouldContain("'nothing.js'");
    }
}
