-- Seeds the relay's database with :calls stored calls as months of use would leave them: 10,000
-- users, mixed call types and statuses, received over the last 7 days (oldest first, as ingest
-- stores them), with an attempt for every call that was sent.
-- Used by bench/dashboard/run.sh (sqlite3 -cmd ".parameter set :calls N").
PRAGMA journal_mode=WAL;
PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :calls),
calls AS (
  SELECT i,
         'user-' || (i * 7919 % 10000) AS user,
         CASE i % 10 WHEN 0 THEN 'identify' WHEN 1 THEN 'group' WHEN 2 THEN 'page' ELSE 'track' END AS type,
         CASE i % 7 WHEN 0 THEN 'Report Exported' WHEN 1 THEN 'Seat Added' WHEN 2 THEN 'Plan Changed' ELSE 'Page Viewed' END AS event,
         CASE i % 100 WHEN 90 THEN 4 WHEN 91 THEN 4 WHEN 95 THEN 6 WHEN 96 THEN 6 WHEN 98 THEN 0 WHEN 99 THEN 2 ELSE 3 END AS status,
         strftime('%Y-%m-%d %H:%M:%f', 'now', printf('-%d seconds', (:calls - i) * 604800 / :calls)) AS received,
         CASE i % 3 WHEN 0 THEN 'enterprise' WHEN 1 THEN 'pro' ELSE 'starter' END AS plan
  FROM n)
INSERT INTO Messages (SourceId, MessageId, Type, UserId, GroupId, Event, ReceivedAt, Timestamp, Payload, Status, StatusReason, AttemptCount, UpdatedAt)
SELECT 'config-bench', 'seed-' || i, type, user,
       CASE WHEN type = 'group' THEN 'company-' || (i % 2000) END,
       CASE WHEN type = 'track' THEN event END,
       received, received,
       CASE type
         WHEN 'identify' THEN printf('{"type":"identify","userId":"%s","traits":{"email":"%s@example.com","plan":"%s","name":"User %d"},"messageId":"seed-%d","receivedAt":"%s"}', user, user, plan, i, i, received)
         WHEN 'group' THEN printf('{"type":"group","userId":"%s","groupId":"company-%d","traits":{"name":"Company %d","plan":"%s"},"messageId":"seed-%d","receivedAt":"%s"}', user, i % 2000, i % 2000, plan, i, received)
         WHEN 'page' THEN printf('{"type":"page","userId":"%s","name":"Pricing","properties":{"path":"/pricing"},"messageId":"seed-%d","receivedAt":"%s"}', user, i, received)
         ELSE printf('{"type":"track","userId":"%s","event":"%s","properties":{"plan":"%s","seats":%d},"context":{"traits":{"email":"%s@example.com"}},"messageId":"seed-%d","receivedAt":"%s"}', user, event, plan, i % 50, user, i, received)
       END,
       CASE WHEN type = 'page' THEN 5 ELSE status END,
       CASE WHEN type = 'page' THEN 'Userlist does not take page calls' WHEN status = 4 THEN 'Userlist answered 422: User must exist' WHEN status = 6 THEN 'Gave up after 8 attempts: Userlist answered 503' END,
       CASE WHEN status IN (3, 4) THEN 1 WHEN status = 6 THEN 8 ELSE 0 END,
       received
FROM calls;

INSERT INTO DeliveryAttempts (MessageRowId, StartedAt, Method, Path, RequestBody, StatusCode, ResponseBody, DurationMs, Error, Outcome)
SELECT Id, ReceivedAt, 'POST', '/events', '{}',
       CASE Status WHEN 3 THEN 202 WHEN 4 THEN 422 ELSE 503 END,
       CASE Status WHEN 4 THEN '{"errors":["User must exist"]}' ELSE '' END,
       80, NULL,
       CASE Status WHEN 3 THEN 'Delivered' WHEN 4 THEN 'Rejected' ELSE 'Transient' END
FROM Messages WHERE Status IN (3, 4, 6);
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
