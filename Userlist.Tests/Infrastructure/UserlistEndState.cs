using System.Text.Json.Nodes;

namespace Userlist.Tests.Infrastructure;

/// <summary>
/// What Userlist holds after a sequence of Push API requests, as Userlist applies them: users and
/// companies are upserts (top-level fields replace, properties merge key by key, absent keys stay,
/// a company's relationships merge by user), events append, a user delete removes the user.
/// </summary>
public sealed class UserlistEndState
{
    private readonly SortedDictionary<string, JsonObject> users = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, JsonObject> companies = new(StringComparer.Ordinal);
    private readonly List<string> events = [];

    public static UserlistEndState Of(IEnumerable<(string Method, string Path, string Body)> requests)
    {
        var state = new UserlistEndState();
        foreach (var (method, path, body) in requests)
        {
            state.Apply(method, path, body);
        }

        return state;
    }

    /// <summary>Every user and company as JSON, sorted by identifier.</summary>
    public string Records => new JsonObject
    {
        ["users"] = new JsonObject(users.Select(u => KeyValuePair.Create(u.Key, (JsonNode?)u.Value.DeepClone()))),
        ["companies"] = new JsonObject(companies.Select(c => KeyValuePair.Create(c.Key, (JsonNode?)c.Value.DeepClone()))),
    }.ToJsonString();

    /// <summary>Every event's body, sorted: Userlist keeps events, not the order they arrived in.</summary>
    public IReadOnlyList<string> Events => [.. events.Order(StringComparer.Ordinal)];

    private void Apply(string method, string path, string body)
    {
        var request = JsonNode.Parse(body)!.AsObject();
        switch ((method, path))
        {
            case ("POST", "/users"):
                Upsert(users, request, ["email", "signed_up_at"]);
                break;
            case ("POST", "/companies"):
                var company = Upsert(companies, request, ["name", "signed_up_at"]);
                var relationships = company["relationships"] as JsonObject ?? [];
                foreach (var relationship in request["relationships"]?.AsArray() ?? [])
                {
                    var user = relationship!["user"]!.GetValue<string>();
                    var merged = relationships[user] as JsonObject ?? [];
                    Merge(merged, relationship["properties"] as JsonObject);
                    relationships[user] = merged.DeepClone();
                }

                company["relationships"] = relationships.DeepClone();
                break;
            case ("POST", "/events"):
                events.Add(request.ToJsonString());
                break;
            case ("DELETE", "/users"):
                users.Remove(request["identifier"]!.GetValue<string>());
                break;
        }
    }

    private static JsonObject Upsert(SortedDictionary<string, JsonObject> records, JsonObject request, string[] fields)
    {
        var identifier = request["identifier"]!.GetValue<string>();
        if (!records.TryGetValue(identifier, out var record))
        {
            records[identifier] = record = new JsonObject { ["properties"] = new JsonObject() };
        }

        foreach (var field in fields.Where(request.ContainsKey))
        {
            record[field] = request[field]?.DeepClone();
        }

        Merge(record["properties"]!.AsObject(), request["properties"] as JsonObject);
        return record;
    }

    private static void Merge(JsonObject into, JsonObject? from)
    {
        foreach (var (key, value) in from ?? [])
        {
            into[key] = value?.DeepClone();
        }
    }
}
