using Hangfire.Dashboard;

namespace Userlist.Dashboard.Jobs;

/// <summary>The Hangfire dashboard is for signed-in operators (its default admits local requests only).</summary>
internal sealed class HangfireDashboardAccess : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) => context.GetHttpContext().User.Identity?.IsAuthenticated == true;
}
