using Userlist.Core.Mapping;

namespace Userlist.Tests.Mapping;

/// <summary>
/// The unchanged-identify rules of design §10: a request is worth sending only if Userlist, whose
/// upserts merge, would hold anything different after it than what the relay last delivered.
/// </summary>
public sealed class DeliveredStateTests
{
    private static readonly DateTime Delivered = new(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Changes_TheSameBodyAgain_ChangesNothing_WhateverTheKeyOrder()
    {
        var state = State("""{"identifier":"u","email":"a@example.com","properties":{"plan":"pro","seats":3}}""");

        Assert.False(state.Changes("""{"identifier":"u","email":"a@example.com","properties":{"plan":"pro","seats":3}}"""));
        Assert.False(state.Changes("""{"properties":{"seats":3,"plan":"pro"},"email":"a@example.com","identifier":"u"}"""));
    }

    [Fact]
    public void Changes_ATopLevelFieldWithAnotherValueOrNotSentBefore_Changes()
    {
        var state = State("""{"identifier":"u","email":"a@example.com","properties":{"plan":"pro"}}""");

        Assert.True(state.Changes("""{"identifier":"u","email":"b@example.com","properties":{"plan":"pro"}}"""));
        Assert.True(state.Changes("""{"identifier":"u","signed_up_at":"2024-01-01T00:00:00Z"}"""));
    }

    [Fact]
    public void Changes_PropertiesMergeKeyByKey_AKeyLeftOutChangesNothing_ANewKeyOrValueDoes()
    {
        var state = State("""{"identifier":"u","properties":{"plan":"pro","seats":3}}""");

        Assert.False(state.Changes("""{"identifier":"u","properties":{"seats":3}}"""));
        Assert.False(state.Changes("""{"identifier":"u"}"""));
        Assert.True(state.Changes("""{"identifier":"u","properties":{"seats":4}}"""));
        Assert.True(state.Changes("""{"identifier":"u","properties":{"role":"admin"}}"""));
    }

    [Fact]
    public void Changes_ANullDiffersFromAnAbsentKey_AndFromAValue_ButNotFromANullSentBefore()
    {
        var state = State("""{"identifier":"u","properties":{"nickname":null,"plan":"pro"}}""");

        Assert.False(state.Changes("""{"identifier":"u","properties":{"nickname":null}}"""));
        Assert.True(state.Changes("""{"identifier":"u","properties":{"plan":null}}"""));
        Assert.True(state.Changes("""{"identifier":"u","properties":{"nickname":"Jo"}}"""));
        Assert.True(state.Changes("""{"identifier":"u","properties":{"coupon":null}}"""));
    }

    [Fact]
    public void Changes_NestedValues_AreComparedWhole()
    {
        var state = State("""{"identifier":"u","properties":{"address":{"city":"Oslo","zip":"0150"}}}""");

        Assert.False(state.Changes("""{"identifier":"u","properties":{"address":{"zip":"0150","city":"Oslo"}}}"""));
        Assert.True(state.Changes("""{"identifier":"u","properties":{"address":{"city":"Oslo"}}}"""));
    }

    [Fact]
    public void Changes_CompanyRelationships_ByUser_WithTheirPropertiesMerged()
    {
        var state = State("""{"identifier":"acme","name":"Acme","relationships":[{"user":"u1","properties":{"role":"owner"}}]}""");

        Assert.False(state.Changes("""{"identifier":"acme","name":"Acme","relationships":[{"user":"u1","properties":{"role":"owner"}}]}"""));
        Assert.False(state.Changes("""{"identifier":"acme","relationships":[{"user":"u1"}]}"""));
        Assert.True(state.Changes("""{"identifier":"acme","relationships":[{"user":"u1","properties":{"role":"admin"}}]}"""));
        Assert.True(state.Changes("""{"identifier":"acme","name":"Acme","relationships":[{"user":"u2"}]}"""));
    }

    [Fact]
    public void After_MergesWhatWasDeliveredAsUserlistWould_AndNamesTheLastCall()
    {
        var first = DeliveredState.After(null, Users("""{"identifier":"u","email":"a@example.com","properties":{"plan":"free"}}"""), 7, Delivered);
        var second = DeliveredState.After(first, Users("""{"identifier":"u","properties":{"plan":"pro","seats":2}}"""), 9, Delivered.AddHours(1));

        Assert.Equal("""{"identifier":"u","email":"a@example.com","properties":{"plan":"pro","seats":2}}""", second.Body);
        Assert.Equal(9, second.MessageRowId);
        Assert.Equal(Delivered.AddHours(1), second.DeliveredAt);
        Assert.False(second.Changes("""{"identifier":"u","email":"a@example.com","properties":{"plan":"pro"}}"""));
        Assert.Equal("unchanged since call #9 delivered at 2026-12-01 11:00:00 UTC", second.SkipReason);
    }

    [Fact]
    public void IsWithin_TheWindowCountsFromTheLastDelivery_AndEndsAtIt()
    {
        var state = State("""{"identifier":"u"}""");

        Assert.True(state.IsWithin(TimeSpan.FromHours(24), Delivered.AddHours(23).AddMinutes(59)));
        Assert.False(state.IsWithin(TimeSpan.FromHours(24), Delivered.AddHours(24)));
    }

    [Fact]
    public void KeyOf_UpsertsOfUsersAndCompanies_ByIdentifier_DeletesAndEventsNot()
    {
        Assert.Equal("/users u", DeliveredState.KeyOf(Users("""{"identifier":"u"}""")));
        Assert.Equal("/companies acme", DeliveredState.KeyOf(new PushRequest("POST", "/companies", """{"identifier":"acme"}""")));
        Assert.Null(DeliveredState.KeyOf(new PushRequest("POST", "/events", """{"name":"x","user":"u"}""")));
        Assert.Null(DeliveredState.KeyOf(new PushRequest("DELETE", "/users", """{"identifier":"u"}""")));
        Assert.Equal("/users u", DeliveredState.ForgottenBy(new PushRequest("DELETE", "/users", """{"identifier":"u"}""")));
    }

    private static DeliveredState State(string body) => new(body, 1, Delivered);

    private static PushRequest Users(string body) => new("POST", "/users", body);
}
