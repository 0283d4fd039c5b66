using Userlist.Core.Mapping;

namespace Userlist.Tests.Mapping;

/// <summary>
/// The merge rules of design §10: what one merged request carries is what sending each call alone,
/// in order, would leave in Userlist.
/// </summary>
public sealed class CoalescingTests
{
    [Fact]
    public void Merge_Properties_KeyByKeyLaterWins_KeysInTheOrderTheyFirstAppear()
    {
        var merged = Coalescing.Merge([
            Users("""{"identifier":"u","properties":{"plan":"free","seats":1}}"""),
            Users("""{"identifier":"u","properties":{"role":"admin","plan":"pro"}}"""),
            Users("""{"identifier":"u","properties":{"seats":3}}"""),
        ]);

        Assert.Equal("POST", merged.Method);
        Assert.Equal("/users", merged.Path);
        Assert.Equal("""{"identifier":"u","properties":{"plan":"pro","seats":3,"role":"admin"}}""", merged.Body);
    }

    [Fact]
    public void Merge_TopLevelFields_FromTheLatestCallThatHasThem()
    {
        var merged = Coalescing.Merge([
            Users("""{"identifier":"u","email":"old@example.com","signed_up_at":"2024-01-01T00:00:00Z","properties":{"a":1}}"""),
            Users("""{"identifier":"u","email":"new@example.com","properties":{"b":2}}"""),
            Users("""{"identifier":"u","properties":{"c":3}}"""),
        ]);

        // The last call has no email or sign-up time: the latest ones sent stay, as Userlist's partial update would keep them.
        Assert.Equal("""{"identifier":"u","email":"new@example.com","signed_up_at":"2024-01-01T00:00:00Z","properties":{"a":1,"b":2,"c":3}}""", merged.Body);
    }

    [Fact]
    public void Merge_ANullSentLater_WinsOverAValue_AndAValueSentLaterWinsOverANull()
    {
        var merged = Coalescing.Merge([
            Users("""{"identifier":"u","properties":{"nickname":"Jo","plan":null}}"""),
            Users("""{"identifier":"u","properties":{"nickname":null,"plan":"pro"}}"""),
        ]);

        Assert.Equal("""{"identifier":"u","properties":{"nickname":null,"plan":"pro"}}""", merged.Body);
    }

    [Fact]
    public void Merge_NestedPropertyValues_AreReplacedWhole_NotMergedInside()
    {
        var merged = Coalescing.Merge([
            Users("""{"identifier":"u","properties":{"address":{"city":"Oslo","zip":"0150"}}}"""),
            Users("""{"identifier":"u","properties":{"address":{"city":"Bergen"}}}"""),
        ]);

        Assert.Equal("""{"identifier":"u","properties":{"address":{"city":"Bergen"}}}""", merged.Body);
    }

    [Fact]
    public void Merge_EscapedText_LeavesAsTheSingleCallWouldSendIt()
    {
        var single = SegmentToUserlist.Map("""{"type":"identify","userId":"ü","traits":{"name":"Zoë 🚀","quote":"say \"hi\""}}""").Request!;

        var merged = Coalescing.Merge([single, Users("""{"identifier":"ü","properties":{}}""")]);

        Assert.Equal(single.Body, merged.Body);
    }

    [Fact]
    public void Merge_GroupCalls_OneRelationshipPerUser_ItsPropertiesMergedToo()
    {
        var merged = Coalescing.Merge([
            Companies("""{"identifier":"g","name":"Acme","properties":{"tier":"gold"},"relationships":[{"user":"u","properties":{"role":"member"}}]}"""),
            Companies("""{"identifier":"g","properties":{"seats":5},"relationships":[{"user":"u"}]}"""),
            Companies("""{"identifier":"g","name":"Acme Inc.","relationships":[{"user":"u","properties":{"role":"owner","since":2020}}]}"""),
        ]);

        Assert.Equal("/companies", merged.Path);
        Assert.Equal(
            """{"identifier":"g","name":"Acme Inc.","properties":{"tier":"gold","seats":5},"relationships":[{"user":"u","properties":{"role":"owner","since":2020}}]}""",
            merged.Body);
    }

    [Fact]
    public void Plan_ARunOfIdentifies_IsOneRequest_SkippedCallsBetweenDoNotBreakIt()
    {
        var steps = Coalescing.Plan(Calls(
            ("i1", Identify("u", """{"a":1}""")),
            ("p1", SegmentToUserlist.Map("""{"type":"page","userId":"u","name":"Pricing"}""")),
            ("i2", Identify("u", """{"b":2}"""))), _ => false);

        Assert.Equal(["p1", "i1+i2"], Describe(steps));
        var merged = steps[1];
        Assert.True(merged.IsMerged);
        Assert.Equal("""{"identifier":"u","properties":{"a":1,"b":2}}""", merged.Mapped.Request!.Body);
        Assert.Equal(MappingOutcome.Skipped, steps[0].Mapped.Outcome);
    }

    [Fact]
    public void Plan_ATrackBetweenIdentifies_BreaksTheRun_SoTheEventStillFollowsTheFirstIdentify()
    {
        var steps = Coalescing.Plan(Calls(
            ("i1", Identify("u", """{"a":1}""")),
            ("i2", Identify("u", """{"a":2}""")),
            ("t1", SegmentToUserlist.Map("""{"type":"track","userId":"u","event":"Signed Up"}""")),
            ("i3", Identify("u", """{"a":3}""")),
            ("i4", Identify("u", """{"a":4}"""))), _ => false);

        Assert.Equal(["i1+i2", "t1", "i3+i4"], Describe(steps));
        Assert.Equal("/events", steps[1].Mapped.Request!.Path);
    }

    [Fact]
    public void Plan_GroupCalls_MergeOnlyWhileConsecutiveForTheSameGroup()
    {
        var steps = Coalescing.Plan(Calls(
            ("g1", Group("u", "acme", "Acme")),
            ("g2", Group("u", "acme", "Acme Inc.")),
            ("g3", Group("u", "globex", "Globex")),
            ("g4", Group("u", "acme", "ACME")),
            ("i1", Identify("u", """{"a":1}""")),
            ("g5", Group("u", "acme", "Acme 2"))), _ => false);

        Assert.Equal(["g1+g2", "g3", "g4", "i1", "g5"], Describe(steps));
        Assert.StartsWith("""{"identifier":"acme","name":"Acme Inc.",""", steps[0].Mapped.Request!.Body);
    }

    [Fact]
    public void Plan_AnotherUsersGroupCallForTheCompanyBetween_BreaksTheRun_OnlyWhereItFalls()
    {
        // User u's calls; another user's group calls for acme are #3 and #9, for globex #5.
        var barriers = new Dictionary<string, SortedSet<long>>
        {
            ["/companies acme"] = [1, 2, 3, 4, 6, 9],
            ["/companies globex"] = [5],
        };

        var steps = Coalescing.Plan(Calls(
            ("g1", Group("u", "acme", "A1")),
            ("g2", Group("u", "acme", "A2")),
            ("g4", Group("u", "acme", "A4")),
            ("g6", Group("u", "acme", "A6"))), _ => false, Id, barriers);

        Assert.Equal(["g1+g2", "g4+g6"], Describe(steps));
        Assert.StartsWith("""{"identifier":"acme","name":"A6",""", steps[1].Mapped.Request!.Body);
    }

    [Fact]
    public void Plan_BarriersOfACompany_DoNotBreakRunsForOtherKeys()
    {
        var barriers = new Dictionary<string, SortedSet<long>> { ["/companies acme"] = [2, 5] };

        var steps = Coalescing.Plan(Calls(
            ("i1", Identify("u", """{"a":1}""")),
            ("i3", Identify("u", """{"a":3}""")),
            ("g4", Group("u", "globex", "G4")),
            ("g6", Group("u", "globex", "G6"))), _ => false, Id, barriers);

        Assert.Equal(["i1+i3", "g4+g6"], Describe(steps));
    }

    [Fact]
    public void Plan_ACallToGoAlone_IsSentOnItsOwn_AndSplitsTheRunAroundIt()
    {
        var steps = Coalescing.Plan(Calls(
            ("i1", Identify("u", """{"a":1}""")),
            ("retried", Identify("u", """{"a":2}""")),
            ("i3", Identify("u", """{"a":3}""")),
            ("i4", Identify("u", """{"a":4}"""))), call => call == "retried");

        Assert.Equal(["i1", "retried", "i3+i4"], Describe(steps));
        Assert.Equal("""{"identifier":"u","properties":{"a":2}}""", steps[1].Mapped.Request!.Body);
    }

    [Fact]
    public void Plan_ARunWhoseMergedBodyWouldPass100KB_IsSplitInOrder_EachPieceWithinTheLimit()
    {
        // Six calls of 30 KB each, every one a new key: merged they would be about 180 KB.
        var calls = Enumerable.Range(1, 6)
            .Select(i => ($"i{i}", Identify("u", $$"""{"k{{i}}":"{{new string('x', 30_000)}}" }""")))
            .ToArray();

        var steps = Coalescing.Plan(Calls(calls), _ => false);

        Assert.Equal(["i1+i2+i3", "i4+i5+i6"], Describe(steps));
        Assert.All(steps, step => Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(step.Mapped.Request!.Body), 90_000, SegmentToUserlist.MaxBodyBytes));
    }

    [Fact]
    public void Plan_ARunOfTheSameLargeKeyRepeated_StaysOneRequest_ForTheMergedBodyHoldsTheKeyOnce()
    {
        var calls = Enumerable.Range(1, 6)
            .Select(i => ($"i{i}", Identify("u", $$"""{"bio":"{{new string((char)('a' + i), 30_000)}}" }""")))
            .ToArray();

        var steps = Coalescing.Plan(Calls(calls), _ => false);

        Assert.Equal(["i1+i2+i3+i4+i5+i6"], Describe(steps));
        Assert.Contains(new string('g', 30_000), steps[0].Mapped.Request!.Body);
    }

    [Fact]
    public void Plan_ASingleCall_IsSentExactlyAsMapped()
    {
        var identify = Identify("u", """{"a":1}""");

        var step = Assert.Single(Coalescing.Plan(Calls(("i1", identify)), _ => false));

        Assert.False(step.IsMerged);
        Assert.Equal(identify.Request, step.Mapped.Request);
    }

    private static PushRequest Users(string body) => new("POST", "/users", body);

    private static PushRequest Companies(string body) => new("POST", "/companies", body);

    private static MappedCall Identify(string userId, string traits) =>
        SegmentToUserlist.Map($$$"""{"type":"identify","userId":"{{{userId}}}","traits":{{{traits}}}}""");

    private static MappedCall Group(string userId, string groupId, string name) =>
        SegmentToUserlist.Map($$$"""{"type":"group","userId":"{{{userId}}}","groupId":"{{{groupId}}}","traits":{"name":"{{{name}}}"}}""");

    private static List<(string Call, MappedCall Mapped)> Calls(params (string Call, MappedCall Mapped)[] calls) => [.. calls];

    /// <summary>A call's Id in these tests: the number in its name (<c>g4</c> is #4).</summary>
    private static long Id(string call) => long.Parse(call[1..], System.Globalization.CultureInfo.InvariantCulture);

    private static List<string> Describe(IReadOnlyList<CoalescedStep<string>> steps) => [.. steps.Select(s => string.Join('+', s.Calls))];
}
