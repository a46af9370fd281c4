-- AlterTable
ALTER TABLE "TimelineEntry" ADD COLUMN     "dedupeKeys" BIGINT[] DEFAULT ARRAY[]::BIGINT[];

-- CreateIndex
CREATE INDEX "TimelineEntry_dedupeKeys_idx" ON "TimelineEntry" USING GIN ("dedupeKeys");
