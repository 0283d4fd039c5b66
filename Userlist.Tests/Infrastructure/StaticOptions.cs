using Microsoft.Extensions.Options;

namespace Userlist.Tests.Infrastructure;

/// <summary>Fixed options for a class under test outside the host.</summary>
public sealed class StaticOptions<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
