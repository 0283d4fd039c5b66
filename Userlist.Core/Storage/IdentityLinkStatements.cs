using System.Data.Common;
using Userlist.Core.Delivery;

namespace Userlist.Core.Storage;

/// <summary>
/// Identity stitching's writes, in the transaction of the outcome that makes them (the same SQL on
/// both providers). A link to a user Userlist knows releases the calls waiting on it to Pending;
/// the dispatcher then sends them as that user.
/// </summary>
internal static class IdentityLinkStatements
{
    /// <summary>
    /// Applies a note. The newest call's link wins, whatever order outcomes are recorded in (two
    /// identifies naming one anonymous id may be delivered side by side).
    /// </summary>
    public static void Apply(DbConnection connection, DbTransaction transaction, IdentityNote note, long messageRowId, DateTime atUtc)
    {
        switch (note)
        {
            case IdentityNote.UserIdentified identified:
                if (identified.AnonymousId is { } anonymousId)
                {
                    Link(connection, transaction, anonymousId, identified.UserId, identified.MessageRowId, atUtc, userIdentified: true);
                }

                MarkKnown(connection, transaction, identified.UserId);
                Release(connection, transaction, identified.UserId, atUtc);
                break;

            case IdentityNote.Aliased aliased:
                Link(connection, transaction, aliased.PreviousId, aliased.UserId, aliased.MessageRowId, atUtc, userIdentified: false);
                Release(connection, transaction, aliased.UserId, atUtc);
                break;

            case IdentityNote.WaitsFor waiting:
                // A link recorded while this call was on its way to Waiting: it need not wait.
                using (var release = connection.Command(transaction, """
                    UPDATE "Messages" SET "Status" = @pending, "StatusReason" = NULL, "UpdatedAt" = @at
                    WHERE "Id" = @id AND "Status" = @waiting
                      AND EXISTS (SELECT 1 FROM "IdentityLinks" WHERE "AnonymousId" = @anonymousId AND "UserKnown" = @true)
                    """))
                {
                    release.Set("id", messageRowId);
                    release.Set("anonymousId", waiting.AnonymousId);
                    SetRelease(release, atUtc);
                    release.ExecuteNonQuery();
                }

                break;
        }
    }

    /// <summary>
    /// Links the anonymous id. Made by an alias, the link is known when an identify of the user has
    /// reached Userlist already; else that user's identify makes it known and releases its calls.
    /// </summary>
    private static void Link(DbConnection connection, DbTransaction transaction, string anonymousId, string userId, long messageRowId, DateTime atUtc, bool userIdentified)
    {
        var known = userIdentified ? "@true" : """
            (EXISTS (SELECT 1 FROM "IdentityLinks" WHERE "UserId" = @user AND "UserKnown" = @true)
             OR EXISTS (SELECT 1 FROM "Messages" WHERE "UserId" = @user AND "Type" = 'identify' AND "Status" = @delivered))
            """;
        // WHERE true: SQLite needs a WHERE to read ON CONFLICT after INSERT ... SELECT.
        using var upsert = connection.Command(transaction, $"""
            INSERT INTO "IdentityLinks" ("AnonymousId", "UserId", "LinkedByMessageRowId", "LinkedAt", "UserKnown")
            SELECT @anonymousId, @user, @message, @at, {known} WHERE @true
            ON CONFLICT ("AnonymousId") DO UPDATE SET "UserId" = excluded."UserId", "LinkedByMessageRowId" = excluded."LinkedByMessageRowId",
                "LinkedAt" = excluded."LinkedAt", "UserKnown" = excluded."UserKnown"
            WHERE "IdentityLinks"."LinkedByMessageRowId" <= excluded."LinkedByMessageRowId"
            """);
        upsert.Set("anonymousId", anonymousId);
        upsert.Set("user", userId);
        upsert.Set("message", messageRowId);
        upsert.Set("at", atUtc);
        upsert.Set("true", true);
        if (!userIdentified)
        {
            upsert.Set("delivered", (int)MessageStatus.Delivered);
        }

        upsert.ExecuteNonQuery();
    }

    private static void MarkKnown(DbConnection connection, DbTransaction transaction, string userId)
    {
        using var update = connection.Command(transaction, """
            UPDATE "IdentityLinks" SET "UserKnown" = @true WHERE "UserId" = @user AND "UserKnown" = @false
            """);
        update.Set("user", userId);
        update.Set("true", true);
        update.Set("false", false);
        update.ExecuteNonQuery();
    }

    /// <summary>The calls waiting on anonymous ids linked to the user, once Userlist knows the user: due now, in the order received.</summary>
    private static void Release(DbConnection connection, DbTransaction transaction, string userId, DateTime atUtc)
    {
        using var release = connection.Command(transaction, """
            UPDATE "Messages" SET "Status" = @pending, "StatusReason" = NULL, "UpdatedAt" = @at
            WHERE "Status" = @waiting AND "UserId" IS NULL
              AND "AnonymousId" IN (SELECT "AnonymousId" FROM "IdentityLinks" WHERE "UserId" = @user AND "UserKnown" = @true)
            """);
        release.Set("user", userId);
        SetRelease(release, atUtc);
        release.ExecuteNonQuery();
    }

    private static void SetRelease(DbCommand release, DateTime atUtc)
    {
        release.Set("at", atUtc);
        release.Set("true", true);
        release.Set("pending", (int)MessageStatus.Pending);
        release.Set("waiting", (int)MessageStatus.Waiting);
    }
}
