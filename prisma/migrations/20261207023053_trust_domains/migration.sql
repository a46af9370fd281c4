-- Trust domains (README "Security"): a post or author row is the word of the server that delivered
-- it, and each server has its own row of a post. Rows stored before were shared by everyone who saw
-- them, whoever served them last.

-- DropIndex
DROP INDEX "Author_network_networkId_key";

-- DropIndex
DROP INDEX "Post_network_uri_key";

-- AlterTable
ALTER TABLE "Author" ADD COLUMN     "trustDomain" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "Post" ADD COLUMN     "trustDomain" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE UNIQUE INDEX "Author_network_networkId_trustDomain_key" ON "Author"("network", "networkId", "trustDomain");

-- CreateIndex
CREATE UNIQUE INDEX "Post_network_uri_trustDomain_key" ON "Post"("network", "uri", "trustDomain");

-- Existing Mastodon rows go to the instance that delivered them (the origin of the linked account
-- whose source or fetched thread reached them, as the connector reports it). A row several
-- instances delivered is copied, one per instance, and the links of each instance move to its copy.
-- Bluesky rows stay with the network (the empty domain): which PDS answered was not recorded.
-- (No apostrophes in these comments: the schema engine splits statements without reading them.)
CREATE TEMP TABLE "_instance" AS
SELECT id AS account_id, "userId" AS user_id,
       lower(substring("serviceUrl" from '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]+')) AS domain
FROM "LinkedAccount" WHERE network = 'MASTODON';

CREATE TEMP TABLE "_delivery" AS
SELECT sp."postId" AS post_id, i.domain, min(sp."seenAt") AS first_seen
FROM "SourcePost" sp
JOIN "Source" s ON s.id = sp."sourceId"
JOIN "_instance" i ON i.account_id = s."linkedAccountId"
GROUP BY sp."postId", i.domain
UNION ALL
SELECT t.post_id, i.domain, NULL::timestamp(3)
FROM "ThreadCache" tc
JOIN "_instance" i ON i.account_id = tc."linkedAccountId"
CROSS JOIN LATERAL unnest(tc."postIds") AS t(post_id)
GROUP BY t.post_id, i.domain;

-- The row itself goes to the instance that stored it first (its nativeId is an id of that instance).
CREATE TEMP TABLE "_primary" AS
SELECT DISTINCT ON (post_id) post_id, domain
FROM "_delivery"
ORDER BY post_id, first_seen ASC NULLS LAST, domain;

UPDATE "Post" p SET "trustDomain" = pr.domain FROM "_primary" pr WHERE p.id = pr.post_id;

-- The other instances get a copy, with no nativeId until their next fetch refreshes it (actions
-- then find the status by its URI on the instance of the account).
CREATE TEMP TABLE "_copy" AS
SELECT d.post_id AS old_id, d.domain, nextval(pg_get_serial_sequence('"Post"', 'id')) AS new_id
FROM (SELECT DISTINCT post_id, domain FROM "_delivery") d
JOIN "_primary" pr ON pr.post_id = d.post_id
WHERE d.domain <> pr.domain;

INSERT INTO "Post" (id, network, uri, "trustDomain", "nativeId", "authorId", data, raw, "createdAt", "ingestedAt", "updatedAt")
SELECT c.new_id, p.network, p.uri, c.domain, '', p."authorId", p.data, p.raw, p."createdAt", p."ingestedAt", p."updatedAt"
FROM "_copy" c JOIN "Post" p ON p.id = c.old_id;

-- A timeline entry follows its user: to the copy of an instance that delivered the post to them,
-- unless the instance of the row itself did too. (Before the source rows move.)
UPDATE "TimelineEntry" te SET "postId" = c.new_id
FROM "_copy" c
WHERE te."postId" = c.old_id
  AND EXISTS (SELECT 1 FROM "SourcePost" sp JOIN "Source" s ON s.id = sp."sourceId"
              JOIN "_instance" i ON i.account_id = s."linkedAccountId"
              WHERE sp."postId" = c.old_id AND i.user_id = te."userId" AND i.domain = c.domain)
  AND NOT EXISTS (SELECT 1 FROM "SourcePost" sp JOIN "Source" s ON s.id = sp."sourceId"
                  JOIN "_instance" i ON i.account_id = s."linkedAccountId"
                  JOIN "_primary" pr ON pr.post_id = c.old_id
                  WHERE sp."postId" = c.old_id AND i.user_id = te."userId" AND i.domain = pr.domain);

UPDATE "SourcePost" sp SET "postId" = c.new_id
FROM "Source" s, "_instance" i, "_copy" c
WHERE s.id = sp."sourceId" AND i.account_id = s."linkedAccountId"
  AND sp."postId" = c.old_id AND i.domain = c.domain;

-- Cached threads of an instance whose posts were copied are dropped (fetched again when opened).
DELETE FROM "ThreadCache" tc
USING "_instance" i
WHERE i.account_id = tc."linkedAccountId"
  AND EXISTS (SELECT 1 FROM "_copy" c WHERE c.domain = i.domain AND c.old_id = ANY (tc."postIds"));

-- Authors likewise: each domain whose Mastodon posts name an author gets its own row of them.
CREATE TEMP TABLE "_author_use" AS
SELECT DISTINCT "authorId" AS author_id, "trustDomain" AS domain FROM "Post" WHERE network = 'MASTODON';

UPDATE "Author" a SET "trustDomain" = u.domain
FROM (SELECT author_id, min(domain) AS domain FROM "_author_use" GROUP BY author_id) u
WHERE a.id = u.author_id;

CREATE TEMP TABLE "_author_copy" AS
SELECT u.author_id AS old_id, u.domain, nextval(pg_get_serial_sequence('"Author"', 'id')) AS new_id
FROM "_author_use" u JOIN "Author" a ON a.id = u.author_id
WHERE u.domain <> a."trustDomain";

INSERT INTO "Author" (id, network, "networkId", "trustDomain", handle, "displayName", "avatarUrl", bot, "updatedAt")
SELECT ac.new_id, a.network, a."networkId", ac.domain, a.handle, a."displayName", a."avatarUrl", a.bot, a."updatedAt"
FROM "_author_copy" ac JOIN "Author" a ON a.id = ac.old_id;

UPDATE "Post" p SET "authorId" = ac.new_id
FROM "_author_copy" ac
WHERE p."authorId" = ac.old_id AND p."trustDomain" = ac.domain AND p.network = 'MASTODON';

DROP TABLE "_instance", "_delivery", "_primary", "_copy", "_author_use", "_author_copy";
