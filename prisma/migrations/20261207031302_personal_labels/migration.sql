-- Personal labels (libs/core Label.personal, README "Security"): labels of the reading account own
-- choosing, its Mastodon filters and the Bluesky labelers it subscribes to, are kept with its links
-- to a post (source, timeline entry, cached thread), never on the post other members share.

-- AlterTable
ALTER TABLE "SourcePost" ADD COLUMN     "labels" JSONB;

-- AlterTable
ALTER TABLE "ThreadCache" ADD COLUMN     "labels" JSONB;

-- AlterTable
ALTER TABLE "TimelineEntry" ADD COLUMN     "labels" JSONB;

-- Rows stored before hold such labels in the shared post, as the last account that refreshed it saw
-- them: Mastodon filter results (source mastodon-filter:...), and on Bluesky any label neither the
-- author nor Bluesky moderation service (did:plc:ar7c4by46qjdydhdevvrndac) applied. Each goes to the
-- links of the one account that read the post, and is dropped where several did: whose it was is
-- not recorded, and the next delivery to each account brings its own back.
-- (No apostrophes in these comments: the schema engine splits statements without reading them.)
CREATE TEMP TABLE "_labels" AS
WITH candidate AS (
  SELECT id, network, data FROM "Post"
  WHERE coalesce(data->'labels', '[]'::jsonb) <> '[]'::jsonb
     OR coalesce(data->'quote'->'labels', '[]'::jsonb) <> '[]'::jsonb
),
split AS (
  SELECT c.id AS post_id, c.network, e.part, e.l, e.n,
         coalesce(CASE WHEN c.network = 'MASTODON' THEN e.l->>'source' LIKE 'mastodon-filter:%'
                       ELSE e.l->>'source' <> coalesce(CASE WHEN e.part = 'post' THEN c.data->'author'->>'networkId'
                                                            ELSE c.data->'quote'->'author'->>'networkId' END, '')
                            AND e.l->>'source' <> 'did:plc:ar7c4by46qjdydhdevvrndac' END, false) AS personal
  FROM candidate c
  CROSS JOIN LATERAL (
    SELECT 'post' AS part, x.l, x.n
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(c.data->'labels') = 'array' THEN c.data->'labels' ELSE '[]'::jsonb END)
      WITH ORDINALITY AS x(l, n)
    UNION ALL
    SELECT 'quote', x.l, x.n
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(c.data->'quote'->'labels') = 'array' THEN c.data->'quote'->'labels' ELSE '[]'::jsonb END)
      WITH ORDINALITY AS x(l, n)
  ) e
)
SELECT post_id, network,
       coalesce(jsonb_agg(l ORDER BY n) FILTER (WHERE part = 'post' AND NOT personal), '[]'::jsonb) AS post_own,
       coalesce(jsonb_agg(l || '{"personal": true}'::jsonb ORDER BY n) FILTER (WHERE part = 'post' AND personal), '[]'::jsonb) AS post_personal,
       coalesce(jsonb_agg(l ORDER BY n) FILTER (WHERE part = 'quote' AND NOT personal), '[]'::jsonb) AS quote_own,
       coalesce(jsonb_agg(l || '{"personal": true}'::jsonb ORDER BY n) FILTER (WHERE part = 'quote' AND personal), '[]'::jsonb) AS quote_personal
FROM split
GROUP BY post_id, network
HAVING bool_or(personal);

-- The posts one account alone read, through its sources or a thread it opened.
CREATE TEMP TABLE "_reader" AS
SELECT post_id, (array_agg(account_id))[1] AS account_id
FROM (
  SELECT sp."postId" AS post_id, s."linkedAccountId" AS account_id
  FROM "SourcePost" sp JOIN "Source" s ON s.id = sp."sourceId"
  WHERE sp."postId" IN (SELECT post_id FROM "_labels")
  UNION
  SELECT t.post_id, tc."linkedAccountId"
  FROM "ThreadCache" tc CROSS JOIN LATERAL unnest(tc."postIds") AS t(post_id)
  WHERE t.post_id IN (SELECT post_id FROM "_labels")
) r
GROUP BY post_id
HAVING count(*) = 1;

UPDATE "SourcePost" sp
SET labels = jsonb_build_object('post', l.post_personal, 'quote', l.quote_personal)
FROM "_labels" l, "_reader" r, "Source" s
WHERE sp."postId" = l.post_id AND r.post_id = l.post_id
  AND s.id = sp."sourceId" AND s."linkedAccountId" = r.account_id;

UPDATE "TimelineEntry" te
SET labels = jsonb_build_object('post', l.post_personal, 'quote', l.quote_personal)
FROM "_labels" l, "_reader" r, "LinkedAccount" la
WHERE te."postId" = l.post_id AND r.post_id = l.post_id
  AND la.id = r.account_id AND te."userId" = la."userId";

UPDATE "ThreadCache" tc SET labels = m.labels
FROM (
  SELECT c."linkedAccountId", c."postId",
         jsonb_object_agg(l.post_id::text, jsonb_build_object('post', l.post_personal, 'quote', l.quote_personal)) AS labels
  FROM "ThreadCache" c
  CROSS JOIN LATERAL unnest(c."postIds") AS t(post_id)
  JOIN "_labels" l ON l.post_id = t.post_id
  JOIN "_reader" r ON r.post_id = t.post_id AND r.account_id = c."linkedAccountId"
  GROUP BY c."linkedAccountId", c."postId"
) m
WHERE tc."linkedAccountId" = m."linkedAccountId" AND tc."postId" = m."postId";

-- The shared post keeps its own labels only. On Bluesky those alone make it sensitive.
UPDATE "Post" p
SET data = CASE WHEN jsonb_typeof(p.data->'quote'->'labels') = 'array'
                THEN jsonb_set(jsonb_set(p.data, '{labels}', l.post_own), '{quote,labels}', l.quote_own)
                ELSE jsonb_set(p.data, '{labels}', l.post_own) END
FROM "_labels" l
WHERE p.id = l.post_id;

UPDATE "Post" p
SET data = jsonb_set(p.data, '{sensitive}', to_jsonb(EXISTS (
  SELECT 1 FROM jsonb_array_elements(l.post_own) o WHERE o->>'action' IN ('hide', 'warn', 'blur'))))
FROM "_labels" l
WHERE p.id = l.post_id AND l.network = 'BLUESKY';

UPDATE "Post" p
SET data = jsonb_set(p.data, '{quote,sensitive}', to_jsonb(EXISTS (
  SELECT 1 FROM jsonb_array_elements(l.quote_own) o WHERE o->>'action' IN ('hide', 'warn', 'blur'))))
FROM "_labels" l
WHERE p.id = l.post_id AND l.network = 'BLUESKY' AND jsonb_typeof(p.data->'quote') = 'object';

-- The native Mastodon record loses the filter results of the account that read it (titles, keywords).
UPDATE "Post"
SET raw = (raw - 'filtered') #- '{quote,quoted_status,filtered}'
WHERE network = 'MASTODON' AND jsonb_typeof(raw) = 'object'
  AND (raw->'filtered' IS NOT NULL OR raw->'quote'->'quoted_status'->'filtered' IS NOT NULL);

DROP TABLE "_labels", "_reader";
