using Userlist.Core.Delivery;
using Userlist.Core.Storage;

namespace Userlist.Tests.Delivery;

/// <summary>Which claimed calls may go while calls received before them wait (per-user and per-company order).</summary>
public sealed class CompanyOrderTests
{
    [Fact]
    public void Deliverable_CallsBehindAWaitingCallOfTheirUserOrCompany_WaitToo_OthersGo()
    {
        // #1 (a, group acme) waits: a's #3 waits with it, so does #4 (b, acme) behind a1, and b's #6 behind #4.
        List<Message> claimed = [Group(2, "c", "globex"), Track(3, "a", "acme"), Group(4, "b", "acme"), Identify(5, "d"), Track(6, "b", null)];

        var going = CompanyOrder.Deliverable(claimed, [(1, "a", "group", "acme")]);

        Assert.Equal([2, 5], going.Select(call => call.Id));
    }

    [Fact]
    public void Deliverable_ATrackCallsGroupId_HoldsNoCompany()
    {
        List<Message> claimed = [Group(2, "b", "acme")];

        var going = CompanyOrder.Deliverable(claimed, [(1, "a", "track", "acme")]);

        Assert.Equal([2], going.Select(call => call.Id));
    }

    private static Message Group(long id, string userId, string groupId) => Call(id, "group", userId, groupId);

    private static Message Track(long id, string userId, string? groupId) => Call(id, "track", userId, groupId);

    private static Message Identify(long id, string userId) => Call(id, "identify", userId, null);

    private static Message Call(long id, string type, string userId, string? groupId) =>
        new() { Id = id, SourceId = "s", MessageId = $"m{id}", Type = type, UserId = userId, GroupId = groupId, Payload = "{}" };
}
