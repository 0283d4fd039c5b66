namespace Userlist.Tests.Infrastructure;

/// <summary>
/// The storage provider a test's relay runs on. A contract test is written once, in an abstract
/// class that takes the kind, and runs on both through two nested subclasses:
/// <code>
/// public abstract class ForwardingTests(StorageKind storage)
/// {
///     public sealed class OnSqlite() : ForwardingTests(StorageKind.Sqlite);
///
///     public sealed class OnPostgres() : ForwardingTests(StorageKind.Postgres);
///
///     [SkippableFact]
///     public async Task ...() { await using var harness = await DeliveryHarness.StartAsync(storage); ... }
/// }
/// </code>
/// Its tests are [SkippableFact]s: on PostgreSQL they skip with the install instructions when it
/// is missing (and fail under CI=true); on SQLite nothing skips them. A class sharing one relay
/// takes its fixture the same way (Ingest/RelayFixture.OnSqlite and OnPostgres).
/// </summary>
public enum StorageKind
{
    Sqlite,
    Postgres,
}
