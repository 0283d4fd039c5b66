namespace Userlist.Tests.Infrastructure;

public static class Eventually
{
    /// <summary>Polls until the condition holds, failing with the message after the deadline; never a fixed sleep.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string because, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {because}");
            }

            await Task.Delay(20);
        }
    }
}
