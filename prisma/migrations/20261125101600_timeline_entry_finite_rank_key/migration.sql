-- Rank keys are finite, within ±1e12 (libs/pipeline rank-key.ts). Entries written before the engine
-- bounded them may hold ±Infinity or NaN (a plugin's score of 1e308 at weight 100), which GraphQL
-- cannot send as a Float nor a cursor carry: clamped here as the engine now does (NaN to the bottom),
-- and the table holds every later write to it.
UPDATE "TimelineEntry" SET "rankKey" = CASE WHEN "rankKey" = 'Infinity' THEN 1e12 ELSE -1e12 END
  WHERE "rankKey" IN ('Infinity', '-Infinity', 'NaN');
ALTER TABLE "TimelineEntry" ADD CONSTRAINT "TimelineEntry_rankKey_finite" CHECK ("rankKey" BETWEEN -1e12 AND 1e12);
