using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Userlist.Core.Mapping;

/// <summary>
/// Calls that go to Userlist together, in the order their requests leave: one call, or several of
/// one user merged into <see cref="Mapped"/>'s one request. A step of a call with nothing to send
/// (Skipped, Rejected) has that call alone and its reason.
/// </summary>
public sealed record CoalescedStep<TCall>(IReadOnlyList<TCall> Calls, MappedCall Mapped)
{
    public bool IsMerged => Calls.Count > 1;
}

/// <summary>
/// The design's coalescing rule (§10), pure: in one user's calls, in order, a run of identify calls
/// with nothing sent between them becomes one <c>POST /users</c>, and consecutive group calls for the
/// same company one <c>POST /companies</c>. Calls with nothing to send don't break a run; a request of
/// any other kind does. Merging gives what sending each call alone, in order, would leave in Userlist,
/// whose upserts are partial: top-level fields from the latest call that has them, <c>properties</c>
/// merged key by key (later wins, a sent null included), keys in the order they first appear.
/// </summary>
public static class Coalescing
{
    private static readonly Dictionary<string, SortedSet<long>> NoBarriers = [];

    /// <summary>
    /// Plans one user's calls (in the order received) into steps. <paramref name="alone"/> marks
    /// calls that must go on their own request (an operator's retry).
    /// </summary>
    public static IReadOnlyList<CoalescedStep<TCall>> Plan<TCall>(IReadOnlyList<(TCall Call, MappedCall Mapped)> calls, Func<TCall, bool> alone) =>
        Plan(calls, alone, _ => 0, NoBarriers);

    /// <summary>
    /// Plans as above, with calls of other users in view: <paramref name="barriers"/> holds, per key
    /// (<see cref="DeliveredState.KeyOf"/>), the Ids (<paramref name="idOf"/>) of every call for it
    /// that goes to Userlist with these (the user's own may be among them). A run never merges across
    /// another user's call for its key, so that a company's upserts keep the order received.
    /// </summary>
    public static IReadOnlyList<CoalescedStep<TCall>> Plan<TCall>(IReadOnlyList<(TCall Call, MappedCall Mapped)> calls, Func<TCall, bool> alone,
        Func<TCall, long> idOf, IReadOnlyDictionary<string, SortedSet<long>> barriers)
    {
        var steps = new List<CoalescedStep<TCall>>(calls.Count);
        var run = new List<(TCall Call, PushRequest Request)>();
        string? runKey = null;

        bool Crosses(string key, TCall next)
        {
            var (from, to) = (idOf(run[^1].Call), idOf(next));
            return to - from > 1 && barriers.TryGetValue(key, out var ids) && ids.GetViewBetween(from + 1, to - 1).Count > 0;
        }

        void CloseRun()
        {
            steps.AddRange(Pieces(run));
            run.Clear();
            runKey = null;
        }

        foreach (var (call, mapped) in calls)
        {
            if (mapped.Request is not { } request)
            {
                // Nothing goes to Userlist for it, so nothing is sent between the run's calls.
                steps.Add(new CoalescedStep<TCall>([call], mapped));
                continue;
            }

            var key = alone(call) ? null : DeliveredState.KeyOf(request);
            if (key is null || key != runKey || Crosses(key, call))
            {
                CloseRun();
            }

            if (key is null)
            {
                steps.Add(new CoalescedStep<TCall>([call], mapped));
                continue;
            }

            run.Add((call, request));
            runKey = key;
        }

        CloseRun();
        return steps;
    }

    /// <summary>One merged body of requests to the same path and identifier; the first request's method and path.</summary>
    public static PushRequest Merge(IReadOnlyList<PushRequest> requests)
    {
        var fields = new List<KeyValuePair<string, Field>>();
        var documents = new List<JsonDocument>(requests.Count);
        try
        {
            foreach (var request in requests)
            {
                var document = JsonDocument.Parse(request.Body);
                documents.Add(document);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    Add(fields, property);
                }
            }

            return requests[0] with { Body = Write(fields) };
        }
        finally
        {
            documents.ForEach(d => d.Dispose());
        }
    }

    /// <summary>What a run of requests may be merged by: the same method, path and identifier; null when it is never merged.</summary>
    /// <summary>The user or company a request to <c>/users</c> or <c>/companies</c> is about (<c>/users user-42</c>); null for other requests.</summary>
    internal static string? Target(PushRequest request)
    {
        if (request.Path is not ("/users" or "/companies"))
        {
            return null;
        }

        using var document = JsonDocument.Parse(request.Body);
        return document.RootElement.TryGetProperty("identifier", out var identifier) && identifier.ValueKind == JsonValueKind.String
            ? $"{request.Path} {identifier.GetString()}"
            : null;
    }

    /// <summary>
    /// The run as steps: one request if it fits within Userlist's size limit, else pieces in order,
    /// each as long as fits (a call that would take a piece past the limit starts the next).
    /// </summary>
    private static IEnumerable<CoalescedStep<TCall>> Pieces<TCall>(List<(TCall Call, PushRequest Request)> run)
    {
        var start = 0;
        while (start < run.Count)
        {
            var end = start + 1;
            var merged = run[start].Request;
            var sentBytes = Bytes(merged);
            while (end < run.Count)
            {
                // A merged body is never larger than its parts together: only past the limit is it worth writing to measure.
                var candidateBytes = sentBytes + Bytes(run[end].Request);
                var candidate = candidateBytes <= SegmentToUserlist.MaxBodyBytes ? null : Merge(Requests(run, start, end + 1));
                if (candidate is not null && Bytes(candidate) > SegmentToUserlist.MaxBodyBytes)
                {
                    break;
                }

                sentBytes = candidate is null ? candidateBytes : Bytes(candidate);
                end++;
            }

            var calls = run.GetRange(start, end - start).Select(c => c.Call).ToList();
            var request = calls.Count == 1 ? run[start].Request : Merge(Requests(run, start, end));
            yield return new CoalescedStep<TCall>(calls, MappedCall.Send(request));
            start = end;
        }
    }

    private static List<PushRequest> Requests<TCall>(List<(TCall Call, PushRequest Request)> run, int start, int end) =>
        run.GetRange(start, end - start).Select(c => c.Request).ToList();

    private static int Bytes(PushRequest request) => Encoding.UTF8.GetByteCount(request.Body);

    /// <summary>A top-level field: a value (the latest wins), or an object merged key by key.</summary>
    private sealed class Field
    {
        public JsonElement Value { get; set; }

        /// <summary>Set for <c>properties</c>, and for <c>relationships</c> by the user each names.</summary>
        public List<KeyValuePair<string, Field>>? Members { get; set; }

        public bool IsRelationships { get; init; }
    }

    private static void Add(List<KeyValuePair<string, Field>> fields, JsonProperty property)
    {
        var index = fields.FindIndex(f => f.Key == property.Name);
        if (property.Name == "properties" && property.Value.ValueKind == JsonValueKind.Object)
        {
            var merged = index >= 0 && fields[index].Value.Members is { } members && !fields[index].Value.IsRelationships ? members : [];
            foreach (var member in property.Value.EnumerateObject())
            {
                Put(merged, member.Name, new Field { Value = member.Value });
            }

            Put(fields, property.Name, new Field { Members = merged });
            return;
        }

        if (property.Name == "relationships" && property.Value.ValueKind == JsonValueKind.Array)
        {
            // A group's relationship to its user: one per user, its properties merged like the company's.
            var byUser = index >= 0 && fields[index].Value.IsRelationships ? fields[index].Value.Members! : [];
            foreach (var relationship in property.Value.EnumerateArray())
            {
                var user = relationship.TryGetProperty("user", out var u) ? u.GetRawText() : relationship.GetRawText();
                var existing = byUser.FindIndex(r => r.Key == user);
                var entry = existing >= 0 ? byUser[existing].Value.Members! : [];
                foreach (var part in relationship.EnumerateObject())
                {
                    Add(entry, part);
                }

                Put(byUser, user, new Field { Members = entry });
            }

            Put(fields, property.Name, new Field { Members = byUser, IsRelationships = true });
            return;
        }

        Put(fields, property.Name, new Field { Value = property.Value });
    }

    /// <summary>Sets a key's value where the key first appeared, or adds it at the end.</summary>
    private static void Put(List<KeyValuePair<string, Field>> fields, string key, Field value)
    {
        var index = fields.FindIndex(f => f.Key == key);
        if (index >= 0)
        {
            fields[index] = new(key, value);
        }
        else
        {
            fields.Add(new(key, value));
        }
    }

    private static string Write(List<KeyValuePair<string, Field>> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, SegmentToUserlist.WriterOptions))
        {
            WriteObject(writer, fields);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteObject(Utf8JsonWriter writer, List<KeyValuePair<string, Field>> fields)
    {
        writer.WriteStartObject();
        foreach (var (key, field) in fields)
        {
            writer.WritePropertyName(key);
            WriteField(writer, field);
        }

        writer.WriteEndObject();
    }

    private static void WriteField(Utf8JsonWriter writer, Field field)
    {
        if (field.IsRelationships)
        {
            writer.WriteStartArray();
            foreach (var (_, relationship) in field.Members!)
            {
                WriteObject(writer, relationship.Members!);
            }

            writer.WriteEndArray();
        }
        else if (field.Members is { } members)
        {
            WriteObject(writer, members);
        }
        else
        {
            field.Value.WriteTo(writer);
        }
    }
}
