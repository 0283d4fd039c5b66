namespace Userlist.Core;

/// <summary>Counts as people read them: "1 call", "1 Delivered call", "1,200 calls".</summary>
public static class Counted
{
    public static string Calls(int count, string? kind = null) =>
        $"{count:N0} {(kind is null ? "" : kind + " ")}{(count == 1 ? "call" : "calls")}";
}
