ALTER INDEX "TimelineEntry_dedupeKeys_idx" SET (fastupdate = off);
