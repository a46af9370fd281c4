-- A post deleted at origin has one record, for both networks: the "deletedAt" column (already the
-- Bluesky record). Mastodon deletions were kept in the data of the post, which every later upsert
-- rewrote: they move to the column and leave the data. A value that is not an ISO-8601 timestamp
-- takes the time the mark was written ("updatedAt"), a non-string one (never written by Tributary)
-- is not a deletion.
UPDATE "Post"
SET "deletedAt" = coalesce(
      "deletedAt",
      CASE
        WHEN jsonb_typeof(data -> 'deletedAt') <> 'string' THEN NULL
        WHEN data ->> 'deletedAt' ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$'
          THEN (data ->> 'deletedAt')::timestamptz AT TIME ZONE 'UTC'
        ELSE "updatedAt"
      END),
    data = data - 'deletedAt'
WHERE data ? 'deletedAt';
