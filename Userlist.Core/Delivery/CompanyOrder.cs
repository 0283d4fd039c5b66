using Userlist.Core.Mapping;
using Userlist.Core.Storage;

namespace Userlist.Core.Delivery;

/// <summary>
/// One pass's order of company upserts across users: a group call goes only once every earlier
/// group call for its company in the pass is finished, so the company ends as sending each call
/// alone, in the order received, would leave it (design §10). When an earlier one is left unsent
/// (its user's calls stopped before it, or it is to be retried), the later ones are left unsent
/// too, and the pass returns them. The claim keeps the same order between passes.
/// </summary>
/// <remarks>
/// Chains run at most <c>concurrency</c> at once, and a chain waiting for its company's turn gives
/// up its place while it waits: the chain it waits for may not have started yet. Waits only ever
/// go to smaller Ids, and a chain's current step is its smallest unfinished one, so the smallest
/// unfinished step of the pass can always go, and every wait ends.
/// </remarks>
internal sealed class CompanyOrder : IDisposable
{
    private readonly Lock gate = new();
    private readonly SemaphoreSlim slots;
    private readonly Dictionary<string, Company> companies = [];

    /// <param name="chains">The pass's calls, one list per user, each in the order received.</param>
    public CompanyOrder(IEnumerable<IReadOnlyList<Message>> chains, int concurrency)
    {
        slots = new SemaphoreSlim(concurrency, concurrency);
        foreach (var call in chains.SelectMany(chain => chain))
        {
            if (KeyOf(call) is { } key)
            {
                if (!companies.TryGetValue(key, out var company))
                {
                    companies[key] = company = new Company();
                }

                company.Ids.Add(call.Id);
                company.Open.Add(call.Id);
            }
        }

        Barriers = companies.ToDictionary(c => c.Key, c => c.Value.Ids);
    }

    /// <summary>Per company key, the Ids of its group calls in the pass: runs that <see cref="Coalescing.Plan{TCall}(IReadOnlyList{ValueTuple{TCall, MappedCall}}, Func{TCall, bool}, Func{TCall, long}, IReadOnlyDictionary{string, SortedSet{long}})"/> must not merge across.</summary>
    public IReadOnlyDictionary<string, SortedSet<long>> Barriers { get; }

    /// <summary>The company a stored call's request upserts (the key <see cref="DeliveredState.KeyOf"/> gives it); null unless it is a group call.</summary>
    public static string? KeyOf(Message call) => call is { Type: "group", GroupId: { } group } ? DeliveredState.CompanyKeyPrefix + group : null;

    /// <summary>
    /// The claimed calls that may go in this pass (in order): not those behind a call the claim left
    /// waiting (<paramref name="waiting"/>: Pending calls received before the last one claimed) of
    /// their user, or of their company for a group call, nor those behind a call held back so. The
    /// claim holds a group call while an earlier one for its company is in flight; this keeps that
    /// call's user's later calls, and the company's calls behind those, waiting with it.
    /// </summary>
    public static List<Message> Deliverable(IReadOnlyList<Message> claimed, IEnumerable<(long Id, string? UserId, string? Type, string? GroupId)> waiting)
    {
        var held = new HashSet<string>(StringComparer.Ordinal);
        var going = new List<Message>(claimed.Count);
        var all = claimed.Select(call => (call.Id, call.UserId, call.Type, call.GroupId, Claimed: (Message?)call))
            .Concat(waiting.Select(call => (call.Id, call.UserId, call.Type, call.GroupId, Claimed: (Message?)null)));
        foreach (var call in all.OrderBy(call => call.Id))
        {
            string?[] keys = [call.UserId is { } user ? "/users " + user : null, call is { Type: "group", GroupId: { } group } ? DeliveredState.CompanyKeyPrefix + group : null];
            if (call.Claimed is { } free && !keys.Any(key => key is not null && held.Contains(key)))
            {
                going.Add(free);
                continue;
            }

            held.UnionWith(keys.OfType<string>());
        }

        return going;
    }

    /// <summary>Delivers every chain, at most <c>concurrency</c> at once, in the order given; a chain's calls it did not finish are left unsent for its companies.</summary>
    public Task RunAsync(IEnumerable<List<Message>> chains, Func<List<Message>, Task> deliver) =>
        Task.WhenAll(chains.Select(async chain =>
        {
            await slots.WaitAsync();
            try
            {
                await Task.Yield();
                await deliver(chain);
            }
            finally
            {
                Settle(chain, unsent: true);
                slots.Release();
            }
        }));

    /// <summary>
    /// Waits until every earlier group call for the call's company in the pass is finished: true when
    /// it may go (at once for other calls), false when one of them was left unsent and so must it be.
    /// </summary>
    public async Task<bool> TurnAsync(Message call)
    {
        TaskCompletionSource<bool> turn;
        lock (gate)
        {
            if (KeyOf(call) is not { } key || !companies.TryGetValue(key, out var company))
            {
                return true;
            }

            if (company.Verdict(call.Id) is { } now)
            {
                return now;
            }

            turn = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            company.Waiting.Add((call.Id, turn));
        }

        slots.Release();
        try
        {
            return await turn.Task;
        }
        finally
        {
            await slots.WaitAsync();
        }
    }

    /// <summary>The calls are finished (delivered, skipped, rejected): later group calls for their companies may go.</summary>
    public void Finished(IEnumerable<Message> calls) => Settle(calls, unsent: false);

    public void Dispose() => slots.Dispose();

    private void Settle(IEnumerable<Message> calls, bool unsent)
    {
        lock (gate)
        {
            foreach (var call in calls)
            {
                if (KeyOf(call) is not { } key || !companies.TryGetValue(key, out var company) || !company.Open.Remove(call.Id))
                {
                    continue;
                }

                if (unsent)
                {
                    company.FirstUnsent = Math.Min(company.FirstUnsent, call.Id);
                }

                company.Wake();
            }
        }
    }

    private sealed class Company
    {
        public SortedSet<long> Ids { get; } = [];

        /// <summary>Calls neither finished nor left unsent yet.</summary>
        public SortedSet<long> Open { get; } = [];

        public long FirstUnsent { get; set; } = long.MaxValue;

        public List<(long Id, TaskCompletionSource<bool> Turn)> Waiting { get; } = [];

        /// <summary>Whether the call may go now; null while an earlier one is still open.</summary>
        public bool? Verdict(long id) =>
            FirstUnsent < id ? false
            : Open.Count == 0 || Open.Min >= id ? true
            : null;

        public void Wake() => Waiting.RemoveAll(waiting =>
        {
            if (Verdict(waiting.Id) is not { } verdict)
            {
                return false;
            }

            waiting.Turn.SetResult(verdict);
            return true;
        });
    }
}
