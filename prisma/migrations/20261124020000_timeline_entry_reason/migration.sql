ALTER TABLE "TimelineEntry" ADD COLUMN "reason" JSONB;

UPDATE "TimelineEntry" t SET reason = (
  SELECT sp.reason FROM "SourcePost" sp
  JOIN "Source" s ON s.id = sp."sourceId"
  JOIN "LinkedAccount" la ON la.id = s."linkedAccountId"
  WHERE sp."postId" = t."postId" AND la."userId" = t."userId" AND sp.reason IS NOT NULL
  ORDER BY sp."seenAt", sp."sourceId" LIMIT 1)
WHERE EXISTS (SELECT 1 FROM "SourcePost" x WHERE x."postId" = t."postId" AND x.reason IS NOT NULL);
