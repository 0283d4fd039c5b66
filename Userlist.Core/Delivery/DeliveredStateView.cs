using Microsoft.EntityFrameworkCore;
using Userlist.Core.Mapping;
using Userlist.Core.Storage;

namespace Userlist.Core.Delivery;

/// <summary>
/// What was last delivered per user and company, for the delivery passes under way (design §10's
/// unchanged skip). Passes that overlap (the minutely dispatch beside a woken one) share the view
/// and one turn per user or company: compare, send and record go one at a time for each, so the
/// view always matches the order requests reached Userlist. When no pass runs it is emptied: the
/// database holds what it knew, written with each delivery's outcome.
/// </summary>
public sealed class DeliveredStateView(IDbContextFactory<RelayDbContext> databases)
{
    private readonly Lock gate = new();

    /// <summary>By key; null when known to be absent from Userlist (a user deleted), so a load from before can't bring it back.</summary>
    private readonly Dictionary<string, DeliveredState?> states = [];

    private readonly Dictionary<string, SemaphoreSlim> turns = [];
    private int passes;

    /// <summary>Counts records forgotten, so that a load that overlapped one is not trusted.</summary>
    private int forgotten;

    /// <summary>A pass starts: reads the remembered state of its identify and group calls' users and companies, in one query.</summary>
    public async Task BeginPassAsync(IReadOnlyCollection<Message> claimed, CancellationToken cancellationToken)
    {
        int forgottenBefore;
        lock (gate)
        {
            passes++;
            forgottenBefore = forgotten;
        }

        var keys = claimed.Select(KeyOf).OfType<string>().Distinct().ToList();
        if (keys.Count == 0)
        {
            return;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.DeliveredStates.AsNoTracking().Where(s => keys.Contains(s.Key)).ToListAsync(cancellationToken);
        lock (gate)
        {
            // What another pass has delivered or forgotten since is newer than this read.
            if (forgotten != forgottenBefore)
            {
                return;
            }

            foreach (var row in rows)
            {
                states.TryAdd(row.Key, new DeliveredState(row.Body, row.MessageRowId, DateTime.SpecifyKind(row.DeliveredAt, DateTimeKind.Utc)));
            }
        }
    }

    /// <summary>A pass ended (every outcome of it committed); the last one out empties the view.</summary>
    public void EndPass()
    {
        lock (gate)
        {
            if (--passes == 0)
            {
                states.Clear();
                turns.Clear();
            }
        }
    }

    /// <summary>Waits for the user's or company's turn; disposing the result ends it.</summary>
    public async Task<IDisposable> TurnAsync(string key)
    {
        SemaphoreSlim turn;
        lock (gate)
        {
            if (!turns.TryGetValue(key, out turn!))
            {
                turns[key] = turn = new SemaphoreSlim(1, 1);
            }
        }

        await turn.WaitAsync();
        return new Releaser(turn);
    }

    /// <summary>What was last delivered for the key; null when nothing is known.</summary>
    public DeliveredState? Get(string key)
    {
        lock (gate)
        {
            return states.GetValueOrDefault(key);
        }
    }

    /// <summary>Userlist accepted a request: this is what it holds now (call it in the key's turn).</summary>
    public void Remember(string key, DeliveredState state)
    {
        lock (gate)
        {
            states[key] = state;
        }
    }

    /// <summary>
    /// What Userlist holds for the key is not known any more (a request that may or may not have
    /// reached it, a user deleted); with <paramref name="everyCompany"/>, nor for any company.
    /// </summary>
    public void Forget(string key, bool everyCompany)
    {
        lock (gate)
        {
            forgotten++;
            states[key] = null;
            foreach (var company in everyCompany ? states.Keys.Where(k => k.StartsWith(DeliveredState.CompanyKeyPrefix, StringComparison.Ordinal)).ToList() : [])
            {
                states[company] = null;
            }
        }
    }

    /// <summary>The key a stored call's request will be remembered by, from its columns; a mismatch only costs a request.</summary>
    private static string? KeyOf(Message call) => call switch
    {
        { Type: "identify", UserId: { } user } => "/users " + user,
        { Type: "group", GroupId: { } group } => DeliveredState.CompanyKeyPrefix + group,
        _ => null,
    };

    private sealed class Releaser(SemaphoreSlim turn) : IDisposable
    {
        public void Dispose() => turn.Release();
    }
}
